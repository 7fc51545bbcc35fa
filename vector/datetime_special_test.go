package vector

import (
	"testing"
	"time"
)

// Special date/time words, read at a fixed statement time in Asia/Tokyo.
// Expected values from PostgreSQL 15 with TimeZone 'Asia/Tokyo' at
// 2026-11-24 20:49:06.112617 UTC (2026-11-25 05:49:06.112617 in Tokyo).
func TestDateTimeSpecialWords(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Skip("no tzdata")
	}
	now := time.Date(2026, 11, 24, 20, 49, 6, 112617000, time.UTC)
	ctx := &EvalContext{StatementTime: now, Location: tokyo}
	tests := []struct {
		in   string
		to   Type
		want string
	}{
		{"allballs", Time, "00:00:00"},
		{"ALLBALLS", Time, "00:00:00"},
		{"now", Time, "05:49:06.112617"},
		{"today", Date, "2026-11-25"},
		{"Today", Date, "2026-11-25"},
		{"tomorrow", Date, "2026-11-26"},
		{"yesterday", Date, "2026-11-24"},
		{" now ", Date, "2026-11-25"},
		{"today 12:00", Date, "2026-11-25"},
		{"today", Timestamp, "2026-11-25 00:00:00"},
		{"tomorrow 12:00", Timestamp, "2026-11-26 12:00:00"},
		{"12:00 tomorrow", Timestamp, "2026-11-26 12:00:00"},
		{"now", Timestamp, "2026-11-25 05:49:06.112617"},
		{"now", TimestampTZ, "2026-11-25 05:49:06.112617+09"},
		{"today 12:00 UTC", TimestampTZ, "2026-11-25 21:00:00+09"},
		{"yesterday", TimestampTZ, "2026-11-24 00:00:00+09"},
		{"2024-01-01 allballs", Timestamp, "2024-01-01 00:00:00"},
		{"2024-01-01 allballs", TimestampTZ, "2024-01-01 09:00:00+09"},
		{"today allballs", TimestampTZ, "2026-11-25 09:00:00+09"},
	}
	for _, tc := range tests {
		// As a literal cast: not folded at construction, so the statement
		// time and zone apply at evaluation.
		e, err := NewCast(NewConst(tc.in, Unknown), tc.to)
		if err != nil {
			t.Errorf("'%s'::%s: %v", tc.in, tc.to, err)
			continue
		}
		if got := render(ctx, e, &Batch{Len: 1}); len(got) != 1 || got[0] != tc.want {
			t.Errorf("'%s'::%s = %v, want %s", tc.in, tc.to, got, tc.want)
		}
		// As a text column cast (the typed fast path).
		out, err := CastArray(ctx, ArrayOf(Text, tc.in), Text, tc.to)
		if err != nil {
			t.Errorf("cast column %q to %s: %v", tc.in, tc.to, err)
			continue
		}
		if got := FormatDatum(ValueAt(out, tc.to, 0), tc.to, tokyo); got != tc.want {
			t.Errorf("cast column %q to %s = %s, want %s", tc.in, tc.to, got, tc.want)
		}
	}
	for _, bad := range []struct {
		in string
		to Type
	}{
		{"today", Time}, {"tomorrow", Time}, {"epoch", Time}, {"infinity", Time},
		{"allballs", Timestamp}, {"allballs", Date}, {"2024-01-01 today", Timestamp},
		{"allballs 12:00", Time}, {"12:00 allballs", Time}, {"now 12:00", Timestamp},
		{"12:00 now", Time}, {"today tomorrow", Date}, {"2024-02-03 tomorrow", Date},
	} {
		_, err := NewCast(NewConst(bad.in, Unknown), bad.to)
		want := `ERROR 22007: invalid input syntax for type ` + inputTypeName(bad.to) + `: "` + bad.in + `"`
		if err == nil || errString(err) != want {
			t.Errorf("'%s'::%s: %v, want %s", bad.in, bad.to, err, want)
		}
	}
}

// Without a statement time (COPY, ParseText) the words read the wall clock.
func TestDateTimeSpecialWordsWallClock(t *testing.T) {
	before := time.Now().UTC()
	d, err := ParseText("today", Date, nil)
	after := time.Now().UTC()
	if err != nil {
		t.Fatal(err)
	}
	got := int64(d.(DateValue))
	if lo, hi := before.Unix()/86400, after.Unix()/86400; got < lo || got > hi {
		t.Errorf("'today' = day %d, want %d..%d", got, lo, hi)
	}
}
