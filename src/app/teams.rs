//! Teams: the town squad and village teams, and their members.
