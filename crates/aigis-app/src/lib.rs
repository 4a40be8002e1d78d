//! Application services over the platform ports
