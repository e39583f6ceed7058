//! Emergency mobilisation: calling out volunteers inside a radius and their answers.
