package operators

import (
	"context"
	"testing"

	"github.com/runneldb/runnel/vector"
)

// endless is a source producing 100-row int8 batches until cancelled; it
// records how it ended.
func endless(stopped chan<- error) Operator {
	return NewScan([]vector.Type{vector.Int8}, func(ctx context.Context, emit func(*vector.Batch) error) error {
		vals := make([]any, 100)
		for n := int64(0); ; n += 100 {
			for i := range vals {
				vals[i] = n + int64(i)
			}
			if err := emit(batch(col(vector.Int8, vals...))); err != nil {
				stopped <- err
				return err
			}
		}
	})
}

func TestLimitStopsEndlessSource(t *testing.T) {
	stopped := make(chan error, 1)
	got := run(t, NewLimit(endless(stopped), 3, 198))
	checkRows(t, "limit 3 offset 198", got, []string{"198", "199", "200"})
	if err := <-stopped; err != context.Canceled {
		t.Errorf("source ended with %v, want context.Canceled", err)
	}
}

func TestLimit(t *testing.T) {
	tests := []struct {
		name          string
		limit, offset int64
		want          []string
	}{
		{"no limit", -1, 0, []string{"1", "2", "3", "4", "5"}},
		{"across batches", 3, 1, []string{"2", "3", "4"}},
		{"offset only", -1, 4, []string{"5"}},
		{"zero", 0, 0, nil},
		{"offset past end", 2, 9, nil},
	}
	for _, tc := range tests {
		in := valuesOf([]vector.Type{vector.Int4},
			batch(col(vector.Int4, int32(1), int32(2))), batch(col(vector.Int4, int32(3), int32(4), int32(5))))
		checkRows(t, tc.name, run(t, NewLimit(in, tc.limit, tc.offset)), tc.want)
	}
}
