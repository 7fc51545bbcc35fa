package catalog

import (
	"maps"
	"slices"
)

// A source is a foreign table: its connector is its foreign server (and
// the server's wrapper), its other options the table's options. A
// connector's server takes the OID of the first source that uses it.

// servers returns the connectors of the sources by the OIDs their servers
// take.
func (x *systemScan) servers() map[uint32]string {
	out := map[uint32]string{}
	seen := map[string]bool{}
	for _, t := range x.s.sortedTables() {
		if c := t.Options["connector"]; t.Kind == KindSource && !seen[c] {
			seen[c] = true
			out[t.ID] = c
		}
	}
	return out
}

// serverOf is the OID of the server of source t.
func (x *systemScan) serverOf(t *Table) uint32 {
	for oid, c := range x.servers() {
		if c == t.Options["connector"] {
			return oid
		}
	}
	return 0
}

// pgForeignDataWrapperRows lists a wrapper per connector the sources use.
func pgForeignDataWrapperRows(x *systemScan, out *rowSet) {
	for _, oid := range slices.Sorted(maps.Keys(x.servers())) {
		out.add(oid, x.servers()[oid], BootstrapRoleOID, 0, 0, nil, nil)
	}
}

// pgForeignServerRows lists a server per connector the sources use.
func pgForeignServerRows(x *systemScan, out *rowSet) {
	for _, oid := range slices.Sorted(maps.Keys(x.servers())) {
		out.add(oid, x.servers()[oid], BootstrapRoleOID, oid, nil, nil, nil, nil)
	}
}

// pgForeignTableRows lists the sources.
func pgForeignTableRows(x *systemScan, out *rowSet) {
	for _, t := range x.s.sortedTables() {
		if t.Kind != KindSource {
			continue
		}
		var opts []string
		for _, k := range slices.Sorted(maps.Keys(t.Options)) {
			if k != "connector" && k != "type" {
				opts = append(opts, k+"="+t.Options[k])
			}
		}
		out.add(t.ID, x.serverOf(t), opts)
	}
}
