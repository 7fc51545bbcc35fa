package nexmark

// The stream is read as partitions splits, each generated on its own:
// split k of P holds the events of the epochs e/50 ≡ k (mod P), in order.
// Splitting by whole epochs gives every split the same mix of 1 person, 3
// auctions and 46 bids per epoch, and keeps the splits within P epochs of
// each other in event time when they are at the same position.
//
// A split is itself a stream of whole epochs (but perhaps the last), so the
// arithmetic of events.go holds within it: its i-th event is at offset
// i % 50 of its (i/50)-th epoch, its r-th row of a kind is its
// kind.event(r)-th event, and its position (the number of its events
// read, of every kind) is followed by its kind.rowsBefore(position)-th row.

// maxPartitions is the largest number of splits: each is a goroutine with
// its own buffers.
const maxPartitions = 256

// nexmarkSplit is split index of a stream read as partitions splits.
type nexmarkSplit struct {
	index, partitions int64
}

// events is the number of events of the split among events 0 .. total-1
// of the stream.
func (s nexmarkSplit) events(total int64) int64 {
	epochs, rest := total/epochEvents, total%epochEvents
	n := (epochs - s.index + s.partitions - 1) / s.partitions * epochEvents
	if epochs%s.partitions == s.index {
		n += rest
	}
	return n
}

// locate sets rows[i] and events[i] to the row of kind's table and the
// event number, in the whole stream, of the split's row first+i of kind.
// Rows and events increase with i.
func (s nexmarkSplit) locate(kind *nexmarkKind, first int64, rows, events []int64) {
	epoch := first/kind.count*s.partitions + s.index // in the stream
	j := first % kind.count                          // the row's place among the kind's in its epoch
	for i := range rows {
		rows[i] = epoch*kind.count + j
		events[i] = epoch*epochEvents + kind.first + j
		if j++; j == kind.count {
			j = 0
			epoch += s.partitions
		}
	}
}
