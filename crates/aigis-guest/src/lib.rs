//! Guest glue: the WIT imports as platform ports, for component crates
