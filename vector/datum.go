package vector

import "github.com/cockroachdb/apd/v3"

// Datum is one SQL value outside a batch: a constant, a parameter, a key.
// nil is SQL NULL; otherwise the Go type follows the kind:
//
//	bool                        bool
//	int2 / int4 / int8          int16 / int32 / int64
//	float4 / float8             float32 / float64
//	numeric                     *apd.Decimal (never mutated once built)
//	text, varchar, unknown      string
//	name, "char"                string ("char": its byte, "" for 0)
//	oid, reg*                   int64 (the unsigned 32-bit OID)
//	bytea                       []byte
//	date                        DateValue
//	time                        TimeValue
//	timestamp                   TimestampValue
//	timestamptz                 TimestampTZValue
//	interval                    IntervalValue
//	jsonb                       JSONValue (canonical jsonb text)
//	arrays, int2vector,         ArrayValue (canonical text, see array.go)
//	oidvector
//	record                      string (canonical text, see array_record.go)
type Datum = any

// DateValue is days since 1970-01-01.
type DateValue int32

// TimeValue is microseconds since midnight.
type TimeValue int64

// TimestampValue is microseconds since 1970-01-01 00:00:00, without zone.
type TimestampValue int64

// TimestampTZValue is microseconds since the Unix epoch (UTC).
type TimestampTZValue int64

// IntervalValue is a Postgres interval: months, days and microseconds are
// kept apart, as Postgres keeps them (1 month is not 30 days until compared).
type IntervalValue struct {
	Months int32
	Days   int32
	Micros int64
}

// JSONValue is a jsonb value in its canonical text form, as Postgres prints it.
type JSONValue string

// NumericValue is the Datum of a numeric.
type NumericValue = *apd.Decimal
