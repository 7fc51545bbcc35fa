package runnel

// rewriteWatermarkFor rewrites the WATERMARK FOR clauses of a CREATE TABLE.
func rewriteWatermarkFor(sql string, toks []token) string { return sql }
