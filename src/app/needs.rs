//! Needs: filing (staff, grid workers, volunteers for themselves, the public), suggestions, dispatch, answers, completion and rating.
