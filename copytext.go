package runnel

import "bytes"

// Splitting rows of COPY's text and CSV formats into fields.
//
// The splitters work on the bytes the client sent and allocate nothing per
// row: a field is a sub-slice of the data when it needs no decoding, and
// otherwise is decoded into the loader's scratch buffer. A field slice stays
// valid until the next row is split (scratch is only ever appended to while
// a row is split, so a field written before scratch grew keeps its bytes).

// copyField is one field of a COPY row: its value, decoded, or NULL.
type copyField struct {
	val  []byte
	null bool
}

// splitText splits the first row of data in COPY's text format. It returns
// the number of bytes the row took; ok is false when the row is not complete
// yet (final says no more data follows, so the last row needs no line end).
// fields is nil for the end-of-data marker \.
//
// As in Postgres, a backslash escapes the byte after it, so an escaped
// delimiter or newline is data, not a separator. The NULL string is matched
// against the field as sent, before escapes are decoded.
func (l *copyLoader) splitText(data []byte, final bool) (fields []copyField, n int, ok bool) {
	end, ok := textLineEnd(data, final)
	if !ok {
		return nil, 0, false
	}
	line := data[:end]
	n = min(end+1, len(data))
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if string(line) == `\.` {
		return nil, n, true
	}
	l.fields, l.scratch = l.fields[:0], l.scratch[:0]
	delim := l.opts.delimiter
	start, escaped := 0, false
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '\\':
			escaped = true
			i++ // the escaped byte is data, even a delimiter
		case delim:
			l.addTextField(line[start:i], escaped)
			start, escaped = i+1, false
		}
	}
	l.addTextField(line[start:], escaped)
	return l.fields, n, true
}

// addTextField appends the field whose bytes as sent are raw, decoding
// them into scratch when they hold escapes.
func (l *copyLoader) addTextField(raw []byte, escaped bool) {
	f := copyField{val: raw, null: string(raw) == l.opts.null}
	if escaped && !f.null {
		start := len(l.scratch)
		l.scratch = unescapeText(l.scratch, raw)
		f.val = l.scratch[start:]
	}
	l.fields = append(l.fields, f)
}

// textLineEnd is the index of the newline ending the first row of data (a
// newline escaped by a backslash is data), len(data) when final and there is
// none, or not ok when the row is not complete yet.
func textLineEnd(data []byte, final bool) (int, bool) {
	from := 0
	for {
		i := bytes.IndexByte(data[from:], '\n')
		if i < 0 {
			return len(data), final
		}
		end := from + i
		backslashes := 0
		for j := end - 1; j >= 0 && data[j] == '\\'; j-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return end, true
		}
		from = end + 1
	}
}

// unescapeText appends raw to dst with the backslash escapes of COPY's
// text format decoded: \b \f \n \r \t \v, octal \ooo, hex \xhh, and a
// backslash before any other byte stands for that byte. A backslash ending
// the data is dropped, as Postgres drops it.
func unescapeText(dst, raw []byte) []byte {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			dst = append(dst, c)
			continue
		}
		i++
		if i >= len(raw) {
			break
		}
		switch e := raw[i]; e {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'v':
			dst = append(dst, '\v')
		case 'x':
			v, n := 0, 0
			for n < 2 && i+1 < len(raw) && isHex(raw[i+1]) {
				i++
				v = v*16 + hexVal(raw[i])
				n++
			}
			if n == 0 {
				dst = append(dst, 'x')
			} else {
				dst = append(dst, byte(v))
			}
		default:
			if e >= '0' && e <= '7' {
				v := int(e - '0')
				for n := 1; n < 3 && i+1 < len(raw) && raw[i+1] >= '0' && raw[i+1] <= '7'; n++ {
					i++
					v = v*8 + int(raw[i]-'0')
				}
				dst = append(dst, byte(v))
			} else {
				dst = append(dst, e)
			}
		}
	}
	return dst
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) int {
	switch {
	case c >= 'a':
		return int(c-'a') + 10
	case c >= 'A':
		return int(c-'A') + 10
	}
	return int(c - '0')
}

// splitCSV splits the first CSV record of data, honouring quotes (a quoted
// field may span lines); it returns like splitText. An unquoted field equal
// to the NULL string is NULL; a quoted one never is.
func (l *copyLoader) splitCSV(data []byte, final bool) ([]copyField, int, bool) {
	l.fields, l.scratch = l.fields[:0], l.scratch[:0]
	q, esc, delim := l.opts.quote, l.opts.escape, l.opts.delimiter
	start := 0 // where the current field starts in scratch
	quoted, inQuotes := false, false
	i := 0
	for {
		if i >= len(data) {
			if !final || inQuotes {
				return nil, 0, false
			}
			break
		}
		c := data[i]
		if inQuotes {
			switch {
			case c == esc && i+1 >= len(data) && !final:
				return nil, 0, false // the next byte decides what this one is
			case c == esc && i+1 < len(data) && (data[i+1] == q || data[i+1] == esc):
				l.scratch = append(l.scratch, data[i+1])
				i += 2
				continue
			case c == q:
				inQuotes = false
			default:
				l.scratch = append(l.scratch, c)
			}
			i++
			continue
		}
		if c == q {
			inQuotes, quoted = true, true
			i++
			continue
		}
		if c == delim {
			l.fields = append(l.fields, l.csvField(start, quoted))
			start, quoted = len(l.scratch), false
			i++
			continue
		}
		if c == '\n' || c == '\r' {
			i++
			if c == '\r' && i < len(data) && data[i] == '\n' {
				i++
			}
			break
		}
		l.scratch = append(l.scratch, c)
		i++
	}
	last := l.scratch[start:]
	if len(l.fields) == 0 && !quoted {
		if i == 0 {
			return nil, 0, false
		}
		if string(last) == `\.` {
			return nil, i, true
		}
	}
	l.fields = append(l.fields, l.csvField(start, quoted))
	return l.fields, i, true
}

// csvField is the field decoded into scratch[start:].
func (l *copyLoader) csvField(start int, quoted bool) copyField {
	v := l.scratch[start:len(l.scratch):len(l.scratch)]
	return copyField{val: v, null: !quoted && string(v) == l.opts.null}
}
