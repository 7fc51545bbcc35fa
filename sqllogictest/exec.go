package sqllogictest

import (
	"context"

	"github.com/jackc/pgx/v5/pgconn"
)

// result is what one statement returned: its columns, its rows formatted
// for comparison, and its command tag.
type result struct {
	cols []pgconn.FieldDescription
	rows [][]string
	tag  pgconn.CommandTag
}

// textFormat asks for every result column in text format.
var textFormat = []int16{0}

// execute runs sql on c with the simple protocol, or with the extended one
// (unnamed statement and portal, text results) when extended is set. Of a
// simple-protocol text with several statements, the result of the last
// one returning rows (or else the last one) is kept.
func execute(ctx context.Context, c *pgconn.PgConn, sql string, extended bool) (*result, error) {
	if extended {
		r := c.ExecParams(ctx, sql, nil, nil, nil, textFormat).Read()
		if r.Err != nil {
			return nil, r.Err
		}
		return newResult(r), nil
	}
	rs, err := c.Exec(ctx, sql).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return &result{}, nil
	}
	last := rs[len(rs)-1]
	for _, r := range rs {
		if r.FieldDescriptions != nil {
			last = r
		}
	}
	return newResult(last), nil
}

func newResult(r *pgconn.Result) *result {
	out := &result{cols: r.FieldDescriptions, tag: r.CommandTag, rows: make([][]string, len(r.Rows))}
	for i, row := range r.Rows {
		vals := make([]string, len(row))
		for j, v := range row {
			vals[j] = formatValue(v)
		}
		out.rows[i] = vals
	}
	return out
}
