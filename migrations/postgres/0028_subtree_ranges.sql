-- A region's subtree is the key range of its path: every path under '/1/2/'
-- lies in ['/1/2/', '/1/2/~') (paths hold digits and '/', all below '~').
-- The stores ask for that range instead of binding a LIKE pattern. Compared
-- byte by byte, as SQLite does: under a language collation (en_US, zh_CN)
-- PostgreSQL would skip the slashes and the range would be wrong, and the
-- index on path could not serve it.
ALTER TABLE regions ALTER COLUMN path TYPE TEXT COLLATE "C";
