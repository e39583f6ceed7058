//! Grids: volunteers attached to grids and the cases grid workers file.
