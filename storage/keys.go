package storage

import "encoding/binary"

// Key layout of the Pebble instance. Every key starts with a one-byte prefix
// naming its kind; integers are big endian so that keys sort numerically.
//
//	'c' id                  catalog record id → opaque blob (the catalog's JSON)
//	'm' "seq"               the last commit sequence number, written by every commit
//	't' table               table definition (JSON tableDef)
//	'l' table seq part      log part: one ≤ maxPartRows-row chunk of the change
//	                        batch of table at commit seq (see codec.go)
//	'm' "checkpoint"        the manifest of the last complete checkpoint (opaque)
//	's' key                 operator state of the dataflows, as of that checkpoint
const (
	prefixCatalog = 'c'
	prefixMeta    = 'm'
	prefixTable   = 't'
	prefixLog     = 'l'
	prefixState   = 's'
)

var (
	keyLastSeq    = []byte{prefixMeta, 's', 'e', 'q'}
	keyCheckpoint = []byte("mcheckpoint")
)

func idKey(prefix byte, id uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefix}, id)
}

// logKey is the key of part of table's change batch at seq.
func logKey(table, seq uint64, part uint32) []byte {
	k := make([]byte, 0, 21)
	k = append(k, prefixLog)
	k = binary.BigEndian.AppendUint64(k, table)
	k = binary.BigEndian.AppendUint64(k, seq)
	return binary.BigEndian.AppendUint32(k, part)
}

// parseLogKey returns the commit seq of a log key of a known table.
func parseLogKey(k []byte) (seq uint64, ok bool) {
	if len(k) != 21 || k[0] != prefixLog {
		return 0, false
	}
	return binary.BigEndian.Uint64(k[9:17]), true
}

// prefixEnd is the smallest key greater than every key starting with p.
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] != 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
