-- A region's subtree is the key range of its path: every path under '/1/2/'
-- lies in ['/1/2/', '/1/2/~') (paths hold digits and '/', all below '~').
-- The stores ask for that range instead of binding a LIKE pattern: SQLite plans
-- a statement again each time a LIKE pattern is bound, and tests the pattern on
-- every row, where the range is read straight off the index on path. SQLite
-- already compares text byte by byte, so only PostgreSQL's half changes a column.
SELECT 1;
