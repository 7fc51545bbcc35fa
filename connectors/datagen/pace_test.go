package datagen

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/connectors/source"
	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// TestReadStopsOnCancel reads generators that would go on for a long time
// (paced at one row per 1000 s, or unbounded and unpaced) and cancels the
// read from emit: Read returns context.Canceled at once, after no more
// batches.
func TestReadStopsOnCancel(t *testing.T) {
	counter := []format.Column{{Name: "counter", Type: vector.Int8}}
	tests := []struct {
		name    string
		open    func() (source.Source, error)
		batches int // emitted before the cancel
		rows    int // in each
	}{
		{"impulse paced by its interval", func() (source.Source, error) {
			return OpenImpulse(map[string]string{"interval": "1000 s"}, counter)
		}, 1, 1},
		{"datagen paced by rate", func() (source.Source, error) {
			return OpenDatagen(map[string]string{"rate": "0.001"}, counter)
		}, 1, 1},
		{"unbounded unpaced datagen", func() (source.Source, error) {
			return OpenDatagen(map[string]string{}, counter)
		}, 3, operators.BatchSize},
	}
	for _, tt := range tests {
		src, err := tt.open()
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		var sizes []int
		done := make(chan error, 1)
		go func() {
			done <- src.Read(ctx, nil, emitFunc(func(c source.Chunk) error {
				if sizes = append(sizes, c.Rows.Len); len(sizes) == tt.batches {
					cancel()
				}
				return nil
			}))
		}()
		select {
		case err = <-done:
		case <-time.After(time.Minute): // without the cancel the read takes 1000 s or forever
			t.Fatalf("%s: Read still running a minute after the cancel", tt.name)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: Read returned %v, want context.Canceled", tt.name, err)
		}
		if len(sizes) != tt.batches || sizes[0] != tt.rows {
			t.Errorf("%s: batches of %v rows, want %d of %d", tt.name, sizes, tt.batches, tt.rows)
		}
		cancel()
	}
}

// TestReadStopsOnEmitError: an error from emit ends the read with it.
func TestReadStopsOnEmitError(t *testing.T) {
	g, err := OpenDatagen(nil, []format.Column{{Name: "i", Type: vector.Int4}})
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	calls := 0
	err = g.Read(context.Background(), nil, emitFunc(func(source.Chunk) error { calls++; return stop }))
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("Read returned %v after %d batches, want %v after 1", err, calls, stop)
	}
}

// TestReadPositionErrors: a position of a split other than 0, or a
// negative one, stops the read before it emits anything.
func TestReadPositionErrors(t *testing.T) {
	g, err := OpenDatagen(map[string]string{"rows": "10"}, []format.Column{{Name: "i", Type: vector.Int4}})
	if err != nil {
		t.Fatal(err)
	}
	for _, from := range []source.Position{{1: 0}, {0: 3, 2: 1}, {0: -1}} {
		chunks := 0
		err := g.Read(context.Background(), from, emitFunc(func(source.Chunk) error { chunks++; return nil }))
		checkError(t, fmt.Sprint(from), err, vector.CodeInternalError, "a generator of one split cannot resume split")
		if chunks != 0 {
			t.Errorf("from %v: %d chunks emitted", from, chunks)
		}
	}
}

// BenchmarkDatagen measures how fast datagen makes rows of four typical
// columns: a sequence, a random bigint, a random double and random text
// with NULLs.
func BenchmarkDatagen(b *testing.B) {
	cols := []format.Column{{Name: "id", Type: vector.Int8}, {Name: "v", Type: vector.Int8},
		{Name: "x", Type: vector.Float8}, {Name: "s", Type: vector.Text}}
	g, err := OpenDatagen(map[string]string{"fields.id.kind": "sequence", "fields.v.start": "1", "fields.v.end": "1000",
		"fields.s.null_rate": "0.1"}, cols)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		g.batch(int64(i)*operators.BatchSize, operators.BatchSize)
	}
	b.ReportMetric(float64(b.N*operators.BatchSize)/b.Elapsed().Seconds(), "rows/s")
}
