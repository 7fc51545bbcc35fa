package catalog

import (
	"strings"

	"github.com/runneldb/runnel/vector"
)

// Privilege names as the has_*_privilege functions take them, and the ACL
// letters they stand for (r SELECT, a INSERT, w UPDATE, d DELETE, D
// TRUNCATE, x REFERENCES, t TRIGGER on relations; U USAGE, C CREATE on
// schemas; C CREATE, T TEMPORARY, c CONNECT on the database; X EXECUTE on
// functions; for roles, U USAGE, M MEMBER, S SET).

// privilegeNames are the privilege names of each kind of object ('r'
// relation, 'c' column, 'n' schema, 'd' database, 'f' function, 'a' role)
// with their ACL letters.
var privilegeNames = map[byte]map[string]byte{
	'r': {"SELECT": 'r', "INSERT": 'a', "UPDATE": 'w', "DELETE": 'd', "TRUNCATE": 'D', "REFERENCES": 'x', "TRIGGER": 't'},
	'c': {"SELECT": 'r', "INSERT": 'a', "UPDATE": 'w', "REFERENCES": 'x'},
	'n': {"USAGE": 'U', "CREATE": 'C'},
	'd': {"CREATE": 'C', "TEMPORARY": 'T', "TEMP": 'T', "CONNECT": 'c'},
	'f': {"EXECUTE": 'X'},
	'a': {"USAGE": 'U', "MEMBER": 'M', "SET": 'S'},
}

// PrivilegeLetters reads a has_*_privilege privilege list for objects of
// kind on: names separated by commas, each optionally followed by WITH
// GRANT OPTION (which runnel does not tell apart). An unknown name fails
// with 22023.
func PrivilegeLetters(on byte, list string) (string, error) {
	var out []byte
	for _, p := range strings.Split(list, ",") {
		name := strings.ToUpper(strings.Join(strings.Fields(p), " "))
		name = strings.TrimSuffix(name, " WITH GRANT OPTION")
		l, ok := privilegeNames[on][name]
		if !ok {
			return "", vector.Errorf(vector.CodeInvalidParameterValue, "unrecognized privilege type: \"%s\"", strings.TrimSpace(p))
		}
		out = append(out, l)
	}
	return string(out), nil
}

// RelationGrants are the grants of relation t: its own, or for a system
// relation those Postgres makes on its catalogs (see systemGrants).
func RelationGrants(t *Table) []Grant {
	if t.Kind == KindSystem {
		return systemByOID[t.ID].grants
	}
	return t.Grants
}

// privateSystemRelations are the system relations only their owner (and
// superusers) may read, as in Postgres: they hold passwords, server
// files or statistics of values; pg_settings may also be updated (SET).
var privateSystemRelations = map[string]string{
	"pg_authid": "", "pg_shadow": "", "pg_statistic": "", "pg_statistic_ext_data": "", "pg_user_mapping": "",
	"pg_subscription": "", "pg_largeobject": "", "pg_file_settings": "", "pg_hba_file_rules": "",
	"pg_ident_file_mappings": "", "pg_config": "", "pg_shmem_allocations": "", "pg_backend_memory_contexts": "",
	"pg_replication_origin_status": "", "pg_settings": "rw",
}

// systemGrants are the privileges PUBLIC has on the system relation
// called name: SELECT, unless privateSystemRelations says otherwise.
func systemGrants(name string) []Grant {
	privs, ok := privateSystemRelations[name]
	if !ok {
		privs = "r"
	}
	if privs == "" {
		return nil
	}
	return []Grant{{Grantee: 0, Privileges: privs, Grantor: BootstrapRoleOID}}
}

// DatabaseGrants are the grants on the database: everyone may connect and
// create temporary tables; its owner is the bootstrap role.
var DatabaseGrants = []Grant{{Grantee: 0, Privileges: "Tc", Grantor: BootstrapRoleOID}}
