package file

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/vector"
)

// testCols are the columns of the rows the tests write and read.
var testCols = []format.Column{{Name: "id", Type: vector.Int8}, {Name: "t", Type: vector.Text}}

// rows is a batch of testCols: ids, with t the id's text prefixed by "r"
// (NULL for negative ids), and weights (nil: all +1).
func rows(weights []int64, ids ...int64) *vector.Batch {
	idb, tb := vector.NewBuilder(vector.Int8, len(ids)), vector.NewBuilder(vector.Text, len(ids))
	for _, id := range ids {
		idb.Append(id)
		if id < 0 {
			tb.AppendNull()
		} else {
			tb.Append("r" + strconv.FormatInt(id, 10))
		}
	}
	b := vector.NewBatch([]arrow.Array{idb.Finish(), tb.Finish()}, len(ids))
	b.Weights = weights
	return b
}

// dirFiles lists the names in dir, in name order.
func dirFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names
}

// readLines is the lines of the files of dir, in name order.
func readLines(t *testing.T, dir string) []string {
	t.Helper()
	var lines []string
	for _, name := range dirFiles(t, dir) {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")...)
	}
	return lines
}

// writeFile creates dir/name holding data.
func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
