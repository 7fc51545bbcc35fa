package operators

import (
	"context"
	"errors"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// Continuous dataflows (materialized views) are graphs of Nodes. Each node
// runs as one or more instances of an Incremental operator: instances of a
// keyed node each own the keys whose hash routes to them (see PartitionOf),
// behind a hash exchange; instances of a source of splits each read some
// of the splits; instances of a partition-local node each take the output
// of one instance of their input, with no exchange. Batches carry weights
// (vector.Batch): an operator turns changes to its inputs into the change
// to its output.
//
// Between batches flow barriers. A barrier with sequence number s says that
// every change of every commit up to s has been delivered. An instance with
// several input channels aligns barriers: it stops reading a channel that
// delivered barrier s until every channel did. Then the runtime calls Flush
// (the operator emits the net change of its output since the last Flush),
// and, when the barrier is a checkpoint, Checkpoint.

// Emit passes a batch of output changes downstream. The batch must not be
// modified afterwards.
type Emit func(*vector.Batch) error

// Incremental is one instance of a continuous operator. The runtime calls
// its methods from one goroutine.
type Incremental interface {
	// Push takes a batch of changes that arrived on input in. The operator
	// may emit output changes at once (stateless operators do) or keep
	// them until Flush.
	Push(in int, b *vector.Batch, emit Emit) error
	// Flush is called at every barrier, once every input delivered it. The
	// operator emits what is still owed for the changes pushed so far, so
	// that the changes it emitted since it started add up to its output
	// over its inputs' contents at the barrier.
	Flush(emit Emit) error
}

// Stateful is an Incremental operator whose state outlives a restart.
//
// Every state key begins with the 8-byte big-endian hash that routes the
// key's rows (the vector.HashColumns hash of the node's key columns), so
// that after a restart with another number of instances, each instance
// restores exactly the keys that route to it; an operator whose instances
// divide their work otherwise says where each key goes (StateRouter).
type Stateful interface {
	Incremental
	// Checkpoint writes the state changed since the last Checkpoint (since
	// the start, the first time). It is called right after a Flush.
	Checkpoint(w StateWriter) error
	// Restore loads one entry written by an earlier Checkpoint. It is
	// called before any Push, once per key the instance owns.
	Restore(key, value []byte) error
}

// StateRouter is a Stateful operator whose keys are not routed by their
// leading hash: RouteState says which of n instances restores key. It
// depends on nothing but key and n.
type StateRouter interface {
	RouteState(key []byte, n int) int
}

// StateWriter receives an operator instance's changed state entries. Keys
// are private to the node. The writer copies key and value: the caller may
// reuse them after the call.
type StateWriter interface {
	Put(key, value []byte) error
	Delete(key []byte) error
}

// Node is a continuous operator in a dataflow graph, before it runs.
//
// A node with no Inputs is a source: the runtime feeds its changes. Keys[i]
// lists the columns of input i whose hash routes a row to an instance; a
// node whose Keys is nil runs as one instance, unless it is a source of
// splits (Positions) or PartitionLocal.
type Node struct {
	Name   string // the operator, for EXPLAIN
	Detail string // keys, expressions, for EXPLAIN
	State  string // what the operator keeps and for how long; "" when nothing
	Inputs []*Node
	Keys   [][]int
	// PartitionLocal is set on an operator that takes each change alone
	// and keeps nothing (a filter, a projection, window assignment, UNION
	// ALL): when every input runs as P instances, it runs as P too,
	// instance i reading instance i of each input, so that a chain of them
	// runs per partition with no exchange.
	PartitionLocal bool
	// New makes one instance.
	New func() (Incremental, error)
	// Source identifies what feeds a source node (a table, a view, or
	// constant rows); nil for other nodes.
	Source any
	// Positions is set on a source fed from positions in its input (a
	// file, a generator, Kafka), which runs as P instances, each reading
	// some of the splits: once the dataflow started, it holds the position
	// of each split as restored, from which the feeder resumes. The
	// runtime writes it only while restoring, before StartDataflow
	// returns.
	Positions map[int32]int64

	types []vector.Type
}

// NewNode returns a node with output columns of the given types.
func NewNode(name string, types []vector.Type, inputs ...*Node) *Node {
	return &Node{Name: name, Inputs: inputs, types: types}
}

// Types describes the columns of the node's output.
func (n *Node) Types() []vector.Type { return n.types }

// Keyed reports whether the node runs as several instances behind a hash
// exchange.
func (n *Node) Keyed() bool { return n.Keys != nil }

// splitSource reports whether the node is a source of splits, which runs
// as several instances each reading some of them.
func (n *Node) splitSource() bool { return n.Positions != nil }

// KeyText renders, for EXPLAIN, the columns of each input that route rows
// to the node's instances: "($0) / ($1, $2)".
func (n *Node) KeyText() string {
	parts := make([]string, len(n.Keys))
	for i, k := range n.Keys {
		parts[i] = "(" + keyNames(k) + ")"
	}
	return strings.Join(parts, " / ")
}

// errContinuous is what a continuous node returns when run as a bounded
// operator (it is an Operator only so that planners can hold either).
var errContinuous = errors.New("operators: a continuous operator cannot run as a bounded query")

// Run fails: a Node runs in a dataflow, not as a bounded operator.
func (n *Node) Run(context.Context, chan<- Message) error { return errContinuous }

// PartitionOf maps a key hash to one of p instances. It uses the high bits
// of the hash; hash tables inside an instance use the low bits.
func PartitionOf(h uint64, p int) int {
	return int(((h >> 32) * uint64(p)) >> 32)
}

// changeBuilder accumulates output rows with weights, a row at a time.
type changeBuilder struct {
	types    []vector.Type
	builders []*vector.Builder
	weights  []int64
	allOnes  bool
}

func newChangeBuilder(types []vector.Type) *changeBuilder {
	c := &changeBuilder{types: types, builders: make([]*vector.Builder, len(types)), allOnes: true}
	for i, t := range types {
		c.builders[i] = vector.NewBuilder(t, 0)
	}
	return c
}

// len is the number of rows added since the last flush.
func (c *changeBuilder) len() int { return len(c.weights) }

// addDatums appends a row of values with weight w (w != 0).
func (c *changeBuilder) addDatums(row []vector.Datum, w int64) {
	for k, b := range c.builders {
		b.Append(row[k])
	}
	c.weight(w)
}

func (c *changeBuilder) weight(w int64) {
	c.weights = append(c.weights, w)
	if w != 1 {
		c.allOnes = false
	}
}

// flush emits the rows added so far as one batch, if there are any.
func (c *changeBuilder) flush(emit Emit) error {
	n := len(c.weights)
	if n == 0 {
		return nil
	}
	cols := make([]arrow.Array, len(c.builders))
	for k, b := range c.builders {
		cols[k] = b.Finish()
	}
	b := vector.NewBatch(cols, n)
	if !c.allOnes {
		b.Weights = c.weights
	}
	c.weights, c.allOnes = nil, true
	return emit(b)
}
