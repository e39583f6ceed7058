//! Activities: organising them, sign-ups and the waiting list, closing.
