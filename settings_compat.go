package runnel

// Parameters that clients set and that change nothing in runnel: pg_dump
// turns off synchronized sequential scans; its dumps set the function
// body checks, the XML option, the default table access method and
// tablespace before they create anything.
func init() {
	for name, def := range map[string]string{
		"synchronize_seqscans":        "on",
		"check_function_bodies":       "on",
		"xmloption":                   "content",
		"default_table_access_method": "heap",
		"default_tablespace":          "",
	} {
		if _, ok := settings[name]; !ok {
			settings[name] = &setting{def: def}
		}
	}
}
