// libfuse 3's low-level API, at the version this project is written against (3.5: renameat2
// flags, readdirplus, forget_multi, copy_file_range are all there; Debian 12 ships 3.14).
#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>
#include <sys/xattr.h>
