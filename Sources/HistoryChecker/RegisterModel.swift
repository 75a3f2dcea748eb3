/// The sequential specification of one file: what each operation does to the state and what it
/// returns when operations run one at a time. A history is linearizable when some order of its
/// operations, consistent with real time, makes every completed operation return what it did
/// under this model.
///
/// The checker runs an equivalent, interned form of this model (`RegisterStep`) for speed; tests
/// hold the two to the same answers.
public enum RegisterModel {
    /// Every file starts absent.
    public static let initialState: RegisterState = .absent

    /// Applies `kind` to `state`: the next state and the result the operation returns.
    public static func apply(_ kind: OperationKind, to state: RegisterState) -> (state: RegisterState, result: OperationResult) {
        switch kind {
        case .read:
            return (state, .observed(state))
        case .write(let value):
            return (.value(value), .done)
        case .append(let value):
            return (.list(state.values + [value]), .done)
        case .compareAndSet(let expected, let new):
            let current: RegisterState = expected.map(RegisterState.value) ?? .absent
            return state == current ? (.value(new), .swapped(true)) : (state, .swapped(false))
        }
    }
}
