package runnel

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/planner"
	"github.com/runneldb/runnel/vector"
)

// copyBatchRows is how many rows COPY FROM gathers into one batch.
const copyBatchRows = 64 << 10

// copyOptions are the options of COPY that shape the data.
type copyOptions struct {
	format    CopyFormat
	delimiter byte
	null      string
	quote     byte
	escape    byte
	header    bool
}

func readCopyOptions(o *tree.CopyOptions) (copyOptions, error) {
	opts := copyOptions{format: CopyText, delimiter: '\t', null: `\N`, quote: '"', escape: '"'}
	switch o.CopyFormat {
	case tree.CopyFormatCSV:
		opts.format, opts.delimiter, opts.null = CopyCSV, ',', ""
	case tree.CopyFormatBinary:
		opts.format = CopyBinary
	}
	str := func(e tree.Expr, what string) (string, error) {
		s, ok := e.(*tree.StrVal)
		if !ok {
			return "", vector.Errorf(vector.CodeSyntaxError, "COPY %s must be a string", what)
		}
		return s.RawString(), nil
	}
	if o.Delimiter != nil {
		d, err := str(o.Delimiter, "delimiter")
		if err != nil {
			return opts, err
		}
		if len(d) != 1 {
			return opts, vector.Errorf(vector.CodeFeatureNotSupported, "COPY delimiter must be a single one-byte character")
		}
		opts.delimiter = d[0]
		if err := checkDelimiter(opts); err != nil {
			return opts, err
		}
	}
	if o.Null != nil {
		n, err := str(o.Null, "null")
		if err != nil {
			return opts, err
		}
		opts.null = n
	}
	if o.Quote != nil {
		if q := o.Quote.RawString(); len(q) == 1 {
			opts.quote = q[0]
		} else {
			return opts, vector.Errorf(vector.CodeFeatureNotSupported, "COPY quote must be a single one-byte character")
		}
	}
	if o.Escape != nil {
		if e := o.Escape.RawString(); len(e) == 1 {
			opts.escape = e[0]
		} else {
			return opts, vector.Errorf(vector.CodeFeatureNotSupported, "COPY escape must be a single one-byte character")
		}
	}
	if o.Header && opts.format != CopyCSV {
		return opts, vector.Errorf(vector.CodeFeatureNotSupported, "COPY HEADER available only in CSV mode")
	}
	opts.header = o.Header
	return opts, nil
}

// checkDelimiter refuses the delimiters Postgres refuses: a line break, and
// in the text format a backslash, a period, a lowercase letter or a digit,
// which would read as part of an escape sequence.
func checkDelimiter(opts copyOptions) error {
	d := opts.delimiter
	if d == '\n' || d == '\r' {
		return vector.Errorf(vector.CodeInvalidParameterValue, "COPY delimiter cannot be newline or carriage return")
	}
	if opts.format == CopyText && (d == '\\' || d == '.' || d >= 'a' && d <= 'z' || d >= '0' && d <= '9') {
		return vector.Errorf(vector.CodeInvalidParameterValue, "COPY delimiter cannot be \"%c\"", d)
	}
	return nil
}

// copyTarget resolves the table and columns of a COPY. As in Postgres,
// generated columns are not copied: without a column list COPY leaves them
// out, and a list naming one is an error (42P10).
func (st *statement) copyTarget(name *tree.TableName, names tree.NameList) (*catalog.Table, []int, error) {
	t, err := st.s.lookupTable(string(name.SchemaName), string(name.ObjectName))
	if err != nil {
		return nil, nil, err
	}
	if len(names) == 0 {
		var cols []int
		for i, c := range t.Columns {
			if c.Generated == "" {
				cols = append(cols, i)
			}
		}
		return t, cols, nil
	}
	cols := make([]int, len(names))
	for i, n := range names {
		cols[i] = -1
		for j, c := range t.Columns {
			if c.Name == string(n) {
				cols[i] = j
			}
		}
		if cols[i] < 0 {
			return nil, nil, vector.Errorf(vector.CodeUndefinedColumn, "column %q of relation %q does not exist", n, t.Name)
		}
		if t.Columns[cols[i]].Generated != "" {
			return nil, nil, &vector.Error{Code: vector.CodeInvalidColumnReference,
				Message: fmt.Sprintf("column %q is a generated column", n), Detail: "Generated columns cannot be used in COPY."}
		}
	}
	return t, cols, nil
}

// copyFrom starts COPY t FROM STDIN: rows are parsed as data arrives and
// written when the client finishes; nothing is written if it fails.
func (st *statement) copyFrom(ast *tree.CopyFrom) (*Result, error) {
	if !ast.Stdin {
		return nil, st.finish(vector.Errorf(vector.CodeFeatureNotSupported, "COPY from a file is not supported; use COPY … FROM STDIN"))
	}
	opts, err := readCopyOptions(&ast.Options)
	if err != nil {
		return nil, st.finish(err)
	}
	t, cols, err := st.copyTarget(&ast.Table, ast.Columns)
	if err == nil {
		err = planner.CheckConnectorWrite(t, "copy to")
	}
	if err != nil {
		return nil, st.finish(err)
	}
	l, err := st.newCopyLoader(t, cols, opts)
	if err != nil {
		return nil, st.finish(err)
	}
	return &Result{CopyIn: &CopyIn{
		Format:  opts.format,
		Columns: len(cols),
		Write:   l.write,
		Done: func() (string, error) {
			n, err := l.done()
			if err = st.finish(err); err != nil {
				return "", err
			}
			return fmt.Sprintf("COPY %d", n), nil
		},
		Abort: func(string) { st.finish(errDescribeOnly) }, //nolint:errcheck // rolls back
	}}, nil
}

// copyLoader parses COPY data into batches of the table's columns and
// writes them into the statement's transaction.
type copyLoader struct {
	st       *statement
	t        *catalog.Table
	cols     []int // table column of each data field
	opts     copyOptions
	defaults []vector.Expr // per table column not in cols; nil otherwise
	// generated computes the generated columns (see planner.Generated);
	// nil when the table has none.
	generated []vector.Expr
	builders  []*vector.Builder
	rows      int
	total     int
	line      int
	pending   []byte
	ended     bool
	fields    []copyField // scratch: the fields of the current row
	scratch   []byte      // scratch: decoded field bytes (see copytext.go)
	// headerDone is set once the binary format's header is read.
	headerDone bool
}

func (st *statement) newCopyLoader(t *catalog.Table, cols []int, opts copyOptions) (*copyLoader, error) {
	l := &copyLoader{st: st, t: t, cols: cols, opts: opts, defaults: make([]vector.Expr, len(t.Columns))}
	given := map[int]bool{}
	for _, c := range cols {
		given[c] = true
	}
	for i := range t.Columns {
		if !given[i] {
			x, err := st.plan.DefaultExpr(t, i)
			if err != nil {
				return nil, err
			}
			l.defaults[i] = x
		}
	}
	var err error
	if l.generated, err = st.plan.Generated(t); err != nil {
		return nil, err
	}
	l.reset()
	return l, nil
}

func (l *copyLoader) reset() {
	l.builders = make([]*vector.Builder, len(l.cols))
	for i, c := range l.cols {
		l.builders[i] = vector.NewBuilder(l.t.Columns[c].Type, copyBatchRows)
	}
	l.rows = 0
}

// write consumes a chunk of data: every complete line is parsed.
func (l *copyLoader) write(data []byte) error {
	if l.ended {
		return nil
	}
	l.pending = append(l.pending, data...)
	parse := l.parseLines
	if l.opts.format == CopyBinary {
		parse = l.parseBinary
	}
	consumed, err := parse(l.pending, false)
	l.pending = append(l.pending[:0], l.pending[consumed:]...)
	return err
}

// done parses what is left and writes the last batch.
func (l *copyLoader) done() (int, error) {
	if l.opts.format == CopyBinary && len(l.pending) > 0 {
		return 0, vector.Errorf(vector.CodeBadCopyFileFormat, "unexpected EOF in COPY data")
	}
	if !l.ended && len(l.pending) > 0 {
		if _, err := l.parseLines(l.pending, true); err != nil {
			return 0, err
		}
	}
	if err := l.flush(); err != nil {
		return 0, err
	}
	return l.total, nil
}

// parseLines parses the complete rows of data; at the end of the data the
// last row needs no line terminator. It returns the bytes consumed.
func (l *copyLoader) parseLines(data []byte, final bool) (int, error) {
	pos := 0
	for pos < len(data) && !l.ended {
		fields, next, ok := l.splitRow(data[pos:], final)
		if !ok {
			if final { // only a CSV quote left open leaves a final row incomplete
				l.line++
				return pos, l.rowError(vector.Errorf(vector.CodeBadCopyFileFormat, "unterminated CSV quoted field"), -1)
			}
			break
		}
		pos += next
		l.line++
		if l.line == 1 && l.opts.header {
			continue
		}
		if fields == nil {
			l.ended = true
			break
		}
		if err := l.addRow(fields); err != nil {
			return pos, err
		}
	}
	return pos, nil
}

// splitRow splits the first row of data into fields (see splitText).
func (l *copyLoader) splitRow(data []byte, final bool) ([]copyField, int, bool) {
	if l.opts.format == CopyCSV {
		return l.splitCSV(data, final)
	}
	return l.splitText(data, final)
}

// addRow parses one row's fields into the builders.
func (l *copyLoader) addRow(fields []copyField) error {
	if len(fields) < len(l.cols) {
		return l.rowError(vector.Errorf(vector.CodeBadCopyFileFormat, "missing data for column %q", l.t.Columns[l.cols[len(fields)]].Name), -1)
	}
	if len(fields) > len(l.cols) {
		return l.rowError(vector.Errorf(vector.CodeBadCopyFileFormat, "extra data after last expected column"), -1)
	}
	for i, f := range fields {
		if f.null {
			l.builders[i].AppendNull()
			continue
		}
		if err := l.builders[i].AppendText(f.val, l.st.s.settings.loc); err != nil {
			return l.rowError(err, i)
		}
	}
	l.rows++
	if l.rows >= copyBatchRows {
		return l.flush()
	}
	return nil
}

// rowError adds where in the data an error happened, as Postgres' CONTEXT.
func (l *copyLoader) rowError(err error, field int) error {
	ve, ok := err.(*vector.Error)
	if !ok {
		return err
	}
	e := *ve
	if field >= 0 {
		e.Detail = fmt.Sprintf("COPY %s, line %d, column %s", l.t.Name, l.line, l.t.Columns[l.cols[field]].Name)
	} else {
		e.Detail = fmt.Sprintf("COPY %s, line %d", l.t.Name, l.line)
	}
	return &e
}

// flush writes the gathered rows, completed with defaults and generated
// columns, into the transaction.
func (l *copyLoader) flush() error {
	if l.rows == 0 {
		return nil
	}
	full := make([]arrow.Array, len(l.t.Columns))
	for i, c := range l.cols {
		full[c] = l.builders[i].Finish()
	}
	b := vector.NewBatch(full, l.rows)
	for i, d := range l.defaults {
		if d != nil {
			arr, err := d.Eval(l.st.ectx, b)
			if err != nil {
				return err
			}
			full[i] = arr
		}
	}
	if l.generated != nil {
		var err error
		if b, err = l.st.project(l.generated, b); err != nil {
			return err
		}
	}
	if err := checkNotNull(l.t, b); err != nil {
		return err
	}
	if err := l.st.txn.Insert(uint64(l.t.ID), b); err != nil {
		return err
	}
	l.total += l.rows
	l.reset()
	return nil
}

// copyTo runs COPY t|(query) TO STDOUT.
func (st *statement) copyTo(ctx context.Context, ast *tree.CopyTo) (*Result, error) {
	opts, err := readCopyOptions(&ast.Options)
	if err != nil {
		return nil, st.finish(err)
	}
	if ast.Options.Destination != nil {
		return nil, st.finish(vector.Errorf(vector.CodeFeatureNotSupported, "COPY to a file is not supported; use COPY … TO STDOUT"))
	}
	sel, err := st.copySource(ast)
	if err != nil {
		return nil, st.finish(err)
	}
	q, err := st.plan.Query(sel)
	if err != nil {
		return nil, st.finish(err)
	}
	stream := operators.Open(context.WithoutCancel(ctx), q.Root)
	types := make([]vector.Type, len(q.Columns))
	for i, c := range q.Columns {
		types[i] = c.Type
	}
	n := 0
	header := opts.header || opts.format == CopyBinary
	trailer := opts.format == CopyBinary
	finished := false
	// prefix is the binary format's header, which Postgres sends in one
	// message with the first tuple (or the trailer), and clients expect so.
	var prefix []byte
	end := func(err error) error {
		if !finished {
			finished = true
			stream.Close()
			return st.finish(err)
		}
		return err
	}
	return &Result{CopyOut: &CopyOut{
		Format:  opts.format,
		Columns: len(q.Columns),
		Next: func(ctx context.Context) ([][]byte, error) {
			var lines [][]byte
			if header {
				header = false
				names := make([]string, len(q.Columns))
				for i, c := range q.Columns {
					names[i] = c.Name
				}
				if h := encodeHeader(names, opts); opts.format == CopyBinary {
					prefix = h
				} else {
					lines = append(lines, h)
				}
			}
			if finished {
				return nil, nil
			}
			for len(lines) == 0 {
				b, err := stream.NextContext(ctx)
				if err != nil {
					if ctx.Err() != nil {
						err = ctxError(ctx)
					}
					return nil, end(err)
				}
				if b == nil {
					if err := end(nil); err != nil || !trailer {
						return nil, err
					}
					return [][]byte{append(prefix, 0xff, 0xff)}, nil
				}
				lines = append(lines, encodeCopyRows(b, types, opts, st.s.settings.loc)...)
				n += b.Len
			}
			if prefix != nil {
				lines[0] = append(prefix, lines[0]...)
				prefix = nil
			}
			return lines, nil
		},
		Tag: func() string { return fmt.Sprintf("COPY %d", n) },
	}}, nil
}

// copySource is the query a COPY TO reads: its statement, or all of the
// table's (chosen) columns.
func (st *statement) copySource(ast *tree.CopyTo) (*tree.Select, error) {
	if ast.Statement != nil {
		sel, ok := ast.Statement.(*tree.Select)
		if !ok {
			return nil, vector.Errorf(vector.CodeFeatureNotSupported, "COPY (%s) TO is not supported", tree.AsString(ast.Statement))
		}
		return sel, nil
	}
	t, cols, err := st.copyTarget(&ast.Table, ast.Columns)
	if err != nil {
		return nil, err
	}
	exprs := make(tree.SelectExprs, len(cols))
	for i, c := range cols {
		exprs[i] = tree.SelectExpr{Expr: &tree.UnresolvedName{NumParts: 1, Parts: tree.NameParts{t.Columns[c].Name}}}
	}
	name := tree.MakeTableNameWithSchema("", tree.Name(t.Schema), tree.Name(t.Name))
	name.ExplicitCatalog = false
	return &tree.Select{Select: &tree.SelectClause{Exprs: exprs, From: tree.From{Tables: tree.TableExprs{&name}}}}, nil
}
