package format

import (
	"slices"
	"testing"

	"github.com/runneldb/runnel/vector"
)

// TestChanges appends rows, negates and undoes them, and checks what
// Finish returns; then that Finish reset the batch.
func TestChanges(t *testing.T) {
	cols := cols("id", vector.Int8, "t", vector.Text)
	// row appends and ends the row (id, t).
	row := func(c *Changes, id int64, t string) {
		c.Col(0).Append(id)
		c.Col(1).Append(t)
		c.EndRow()
	}
	tests := []struct {
		name  string
		steps func(c *Changes)
		want  []string // changesText of the batch; nil when Finish returns nil
	}{
		{"empty", func(c *Changes) {}, nil},
		{"insertions", func(c *Changes) { row(c, 1, "a"); row(c, 2, "b") }, []string{`+"1" "a"`, `+"2" "b"`}},
		{"negate the last rows", func(c *Changes) {
			row(c, 1, "a")
			row(c, 2, "b")
			row(c, 3, "c")
			c.Negate(1)
		}, []string{`+"1" "a"`, `-"2" "b"`, `-"3" "c"`}},
		{"negate nothing", func(c *Changes) { row(c, 1, "a"); c.Negate(1) }, []string{`+"1" "a"`}},
		{"negate a deletion", func(c *Changes) { row(c, 1, "a"); c.Negate(0); c.Negate(0) }, []string{`-"1" "a"`}},
		{"undo half a row", func(c *Changes) {
			row(c, 1, "a")
			m := c.mark()
			c.Col(0).Append(int64(9))
			c.undo(m)
			row(c, 2, "b")
		}, []string{`+"1" "a"`, `+"2" "b"`}},
		{"undo ended rows and half a row", func(c *Changes) {
			row(c, 1, "a")
			m := c.mark()
			row(c, 8, "x")
			c.Negate(1)
			c.Col(1).Append("y")
			c.undo(m)
			row(c, 2, "b")
		}, []string{`+"1" "a"`, `+"2" "b"`}},
		{"negate after an undo", func(c *Changes) {
			row(c, 1, "a")
			m := c.mark()
			c.Col(0).Append(int64(9))
			c.undo(m)
			row(c, 2, "b")
			row(c, 3, "c")
			c.Negate(2)
		}, []string{`+"1" "a"`, `+"2" "b"`, `-"3" "c"`}},
		{"undo everything", func(c *Changes) {
			m := c.mark()
			row(c, 8, "x")
			c.undo(m)
		}, nil},
		{"undo nothing", func(c *Changes) {
			row(c, 1, "a")
			c.undo(c.mark())
		}, []string{`+"1" "a"`}},
	}
	for _, tt := range tests {
		c := NewChanges(cols)
		tt.steps(c)
		if c.Len() != len(tt.want) {
			t.Errorf("%s: Len() = %d, want %d", tt.name, c.Len(), len(tt.want))
		}
		b := c.Finish()
		switch {
		case tt.want == nil:
			if b != nil {
				t.Errorf("%s: Finish() = %q, want nil", tt.name, changesText(b, cols))
			}
		case b == nil:
			t.Errorf("%s: Finish() = nil, want %q", tt.name, tt.want)
		default:
			checkBatch(t, b, len(cols))
			if got := changesText(b, cols); !slices.Equal(got, tt.want) {
				t.Errorf("%s: Finish() = %q, want %q", tt.name, got, tt.want)
			}
			if allInsertions := !slices.ContainsFunc(tt.want, func(s string) bool { return s[0] == '-' }); allInsertions != (b.Weights == nil) {
				t.Errorf("%s: weights %v, want nil exactly when every row is an insertion", tt.name, b.Weights)
			}
		}
		// Finish reset c: nothing is left, and a new row starts a new batch.
		if c.Len() != 0 || c.Finish() != nil {
			t.Errorf("%s: rows left after Finish", tt.name)
		}
		row(c, 5, "e")
		if b := c.Finish(); b == nil || !slices.Equal(changesText(b, cols), []string{`+"5" "e"`}) || b.Weights != nil {
			t.Errorf("%s: the batch after Finish is not a fresh one", tt.name)
		}
	}
}

// TestChangesWeightsKept: a batch's weights are its own, untouched by the
// rows appended after Finish.
func TestChangesWeightsKept(t *testing.T) {
	cols := cols("id", vector.Int8)
	c := NewChanges(cols)
	c.Col(0).Append(int64(1))
	c.EndRow()
	c.Negate(0)
	b := c.Finish()
	c.Col(0).Append(int64(2))
	c.EndRow()
	c.Col(0).Append(int64(3))
	c.EndRow()
	c.Negate(1)
	c.Finish()
	if !slices.Equal(b.Weights, []int64{-1}) {
		t.Errorf("weights of the first batch became %v", b.Weights)
	}
}
