package main

import (
	"context"
	"database/sql"
	"fmt"
	"syscall"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/runneldb/runnel/bench"
	"github.com/runneldb/runnel/vector"
)

// queryRun is what one run of a query gave: its result rows (as the
// columns of a batch) and how long it took.
type queryRun struct {
	rows  *vector.Batch
	types []vector.Type
	// seconds is the wall time from sending the query to its last row
	// read; cpuSeconds the CPU time of the process (DuckDB's threads
	// included) meanwhile.
	seconds, cpuSeconds float64
}

// checksum sums up the result as runnel's runner does (bench.Checksum).
func (r *queryRun) checksum() bench.Checksum {
	var c bench.Checksum
	c.Add(r.rows, r.types)
	return c
}

// runQuery runs text on conn and reads its whole result, which must be of
// BIGINT and TIMESTAMP columns without NULLs (those of the queries run
// here).
func runQuery(ctx context.Context, conn *sql.Conn, text string) (*queryRun, error) {
	cpu0, wall0 := cpuTime(), time.Now()
	rows, err := conn.QueryContext(ctx, text)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	cols := make([]resultColumn, len(cts))
	for i, ct := range cts {
		if cols[i], err = newResultColumn(ct); err != nil {
			return nil, err
		}
	}
	dest := make([]any, len(cols))
	for i := range cols {
		dest[i] = cols[i].dest
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		for _, c := range cols {
			c.append()
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	r := &queryRun{seconds: time.Since(wall0).Seconds(), cpuSeconds: (cpuTime() - cpu0).Seconds()}
	arrays := make([]arrow.Array, len(cols))
	for i, c := range cols {
		arrays[i], r.types = c.array(), append(r.types, c.typ)
	}
	r.rows = vector.NewBatch(arrays, n)
	return r, nil
}

// resultColumn collects the values of a result column, scanned one row at
// a time, as the Arrow array of runnel's type of the column.
type resultColumn struct {
	typ vector.Type
	// dest is where a row's value is scanned; append adds it to the column.
	dest   any
	append func()
	array  func() arrow.Array
}

// newResultColumn is the collector of a column of DuckDB type BIGINT
// (runnel's bigint) or TIMESTAMP (runnel's timestamp, µs).
func newResultColumn(ct *sql.ColumnType) (resultColumn, error) {
	switch ct.DatabaseTypeName() {
	case "BIGINT":
		var v int64
		b := array.NewInt64Builder(vector.Mem)
		return resultColumn{typ: vector.Int8, dest: &v, append: func() { b.Append(v) },
			array: func() arrow.Array { return b.NewArray() }}, nil
	case "TIMESTAMP":
		var v time.Time
		b := array.NewTimestampBuilder(vector.Mem, vector.Timestamp.ArrowType().(*arrow.TimestampType))
		return resultColumn{typ: vector.Timestamp, dest: &v,
			append: func() { b.Append(arrow.Timestamp(v.UnixMicro())) },
			array:  func() arrow.Array { return b.NewArray() }}, nil
	}
	return resultColumn{}, fmt.Errorf("result column %s is of type %s: only BIGINT and TIMESTAMP are summed up",
		ct.Name(), ct.DatabaseTypeName())
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
