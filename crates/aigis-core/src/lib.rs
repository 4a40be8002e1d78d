//! Pure domain core: model, rules, state machines, audit hash chain (no I/O)
