// Geo-replication: ships committed journal ranges asynchronously to a slave volume.
// Not built yet; see the README's status table.
