// Package source defines what every source connector (a file, a generator,
// Kafka) hands the engine: chunks of changes, each read from one split of
// the input and tagged with that split's position after it. The engine
// checkpoints the positions with the state they produced and resumes a
// source from them, so a restart neither loses nor repeats a record.
package source

import (
	"context"

	"github.com/runneldb/runnel/vector"
)

// Position is where a source is in its input: for each split (a Kafka
// partition, a generator's partition; a file has one, split 0), the
// position of its next record (a Kafka offset, a count of records). A
// split absent from a Position is read from where the source's options say
// (the start of a file, a Kafka topic's startup mode).
type Position map[int32]int64

// Chunk is what a source reads at a time: changes read from one split,
// and that split's position after them.
type Chunk struct {
	Split int32
	// Next is the position of the split's next record, past every record
	// the chunk covers (rows and skipped records alike).
	Next int64
	// Rows are the changes read (weights ±1 for formats with retractions);
	// nil when the chunk only advances the position or announces the split.
	Rows *vector.Batch
	// Skipped counts the malformed records the chunk covers that were
	// skipped or sent to a dead-letter topic (on_error).
	Skipped int64
}

// Output receives what a source reads. A source never calls its methods
// concurrently.
type Output interface {
	// Emit takes a chunk. It blocks while the consumer is busy
	// (backpressure) and fails once the consumer has stopped.
	Emit(c Chunk) error
	// Status reports a condition the source is working around (a broker
	// down, being retried with backoff); "" once it has cleared.
	Status(s string)
}

// Source reads an input as chunks of rows of the declared columns.
type Source interface {
	// Read emits what follows position from and returns nil at the end of
	// a bounded input; an unbounded one runs until ctx is done. A source of
	// several splits first emits an empty chunk for each split it will
	// read, at its start position, so that the consumer knows every split
	// (each holds back the watermark) before any rows come; a split that
	// appears while the source reads (a partition added to a Kafka topic)
	// is announced the same way, before its first rows. Reading a split
	// again from a position yields the same records (for a source whose
	// input does not change), so that checkpointed positions give
	// exactly-once results.
	Read(ctx context.Context, from Position, out Output) error
	// Bounded reports whether the input ends.
	Bounded() bool
}
