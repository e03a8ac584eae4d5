//! Pure logic: no git, no file system, no terminal. Everything here is a function of plain data.
