//! The roster: importing a town's workbook and exporting lists as workbooks.
