package catalog

// The relations of pg_catalog, with Postgres 15's OIDs and columns (see
// system.go for the format), and the functions computing the rows of those
// that are not always empty in runnel.

func init() {
	registerSystem("pg_catalog", pgCatalogSpec, map[string]func(*systemScan, *rowSet){
		"pg_namespace":            pgNamespaceRows,
		"pg_class":                pgClassRows,
		"pg_attribute":            pgAttributeRows,
		"pg_index":                pgIndexRows,
		"pg_constraint":           pgConstraintRows,
		"pg_attrdef":              pgAttrdefRows,
		"pg_rewrite":              pgRewriteRows,
		"pg_depend":               pgDependRows,
		"pg_tables":               pgTablesRows,
		"pg_views":                pgViewsRows,
		"pg_matviews":             pgMatviewsRows,
		"pg_indexes":              pgIndexesRows,
		"pg_type":                 pgTypeRows,
		"pg_proc":                 pgProcRows,
		"pg_am":                   pgAmRows,
		"pg_language":             pgLanguageRows,
		"pg_collation":            pgCollationRows,
		"pg_authid":               pgAuthidRows,
		"pg_auth_members":         pgAuthMembersRows,
		"pg_roles":                pgRolesRows,
		"pg_user":                 pgUserRows,
		"pg_shadow":               pgShadowRows,
		"pg_database":             pgDatabaseRows,
		"pg_tablespace":           pgTablespaceRows,
		"pg_settings":             pgSettingsRows,
		"pg_stat_activity":        pgStatActivityRows,
		"pg_stat_user_tables":     pgStatUserTablesRows,
		"pg_stat_all_tables":      pgStatAllTablesRows,
		"pg_statio_user_tables":   pgStatioUserTablesRows,
		"pg_foreign_data_wrapper": pgForeignDataWrapperRows,
		"pg_foreign_server":       pgForeignServerRows,
		"pg_foreign_table":        pgForeignTableRows,
		"pg_description":          pgDescriptionRows,
		"pg_init_privs":           pgInitPrivsRows,
	})
}

const pgCatalogSpec = `
2600 r pg_aggregate
	aggfnoid regproc, aggkind "char", aggnumdirectargs smallint, aggtransfn regproc, aggfinalfn regproc,
	aggcombinefn regproc, aggserialfn regproc, aggdeserialfn regproc, aggmtransfn regproc,
	aggminvtransfn regproc, aggmfinalfn regproc, aggfinalextra boolean, aggmfinalextra boolean,
	aggfinalmodify "char", aggmfinalmodify "char", aggsortop oid, aggtranstype oid,
	aggtransspace integer, aggmtranstype oid, aggmtransspace integer, agginitval text, aggminitval text
2601 r pg_am
	oid oid, amname name, amhandler regproc, amtype "char"
2602 r pg_amop
	oid oid, amopfamily oid, amoplefttype oid, amoprighttype oid, amopstrategy smallint,
	amoppurpose "char", amopopr oid, amopmethod oid, amopsortfamily oid
2603 r pg_amproc
	oid oid, amprocfamily oid, amproclefttype oid, amprocrighttype oid, amprocnum smallint,
	amproc regproc
2604 r pg_attrdef
	oid oid, adrelid oid, adnum smallint, adbin pg_node_tree
1249 r pg_attribute
	attrelid oid, attname name, atttypid oid, attstattarget integer, attlen smallint, attnum smallint,
	attndims integer, attcacheoff integer, atttypmod integer, attbyval boolean, attalign "char",
	attstorage "char", attcompression "char", attnotnull boolean, atthasdef boolean,
	atthasmissing boolean, attidentity "char", attgenerated "char", attisdropped boolean,
	attislocal boolean, attinhcount integer, attcollation oid, attacl aclitem[], attoptions text[],
	attfdwoptions text[], attmissingval anyarray
1261 r pg_auth_members
	roleid oid, member oid, grantor oid, admin_option boolean
1260 r pg_authid
	oid oid, rolname name, rolsuper boolean, rolinherit boolean, rolcreaterole boolean,
	rolcreatedb boolean, rolcanlogin boolean, rolreplication boolean, rolbypassrls boolean,
	rolconnlimit integer, rolpassword text, rolvaliduntil timestamp with time zone
12085 v pg_available_extension_versions
	name name, version text, installed boolean, superuser boolean, trusted boolean, relocatable boolean,
	schema name, requires name[], comment text
12081 v pg_available_extensions
	name name, default_version text, installed_version text, comment text
12138 v pg_backend_memory_contexts
	name text, ident text, parent text, level integer, total_bytes bigint, total_nblocks bigint,
	free_bytes bigint, free_chunks bigint, used_bytes bigint
2605 r pg_cast
	oid oid, castsource oid, casttarget oid, castfunc oid, castcontext "char", castmethod "char"
1259 r pg_class
	oid oid, relname name, relnamespace oid, reltype oid, reloftype oid, relowner oid, relam oid,
	relfilenode oid, reltablespace oid, relpages integer, reltuples real, relallvisible integer,
	reltoastrelid oid, relhasindex boolean, relisshared boolean, relpersistence "char", relkind "char",
	relnatts smallint, relchecks smallint, relhasrules boolean, relhastriggers boolean,
	relhassubclass boolean, relrowsecurity boolean, relforcerowsecurity boolean, relispopulated boolean,
	relreplident "char", relispartition boolean, relrewrite oid, relfrozenxid xid, relminmxid xid,
	relacl aclitem[], reloptions text[], relpartbound pg_node_tree
3456 r pg_collation
	oid oid, collname name, collnamespace oid, collowner oid, collprovider "char",
	collisdeterministic boolean, collencoding integer, collcollate text, collctype text,
	colliculocale text, collversion text
12130 v pg_config
	name text, setting text
2606 r pg_constraint
	oid oid, conname name, connamespace oid, contype "char", condeferrable boolean, condeferred boolean,
	convalidated boolean, conrelid oid, contypid oid, conindid oid, conparentid oid, confrelid oid,
	confupdtype "char", confdeltype "char", confmatchtype "char", conislocal boolean,
	coninhcount integer, connoinherit boolean, conkey smallint[], confkey smallint[], conpfeqop oid[],
	conppeqop oid[], conffeqop oid[], confdelsetcols smallint[], conexclop oid[], conbin pg_node_tree
2607 r pg_conversion
	oid oid, conname name, connamespace oid, conowner oid, conforencoding integer, contoencoding integer,
	conproc regproc, condefault boolean
12077 v pg_cursors
	name text, statement text, is_holdable boolean, is_binary boolean, is_scrollable boolean,
	creation_time timestamp with time zone
1262 r pg_database
	oid oid, datname name, datdba oid, encoding integer, datlocprovider "char", datistemplate boolean,
	datallowconn boolean, datconnlimit integer, datfrozenxid xid, datminmxid xid, dattablespace oid,
	datcollate text, datctype text, daticulocale text, datcollversion text, datacl aclitem[]
2964 r pg_db_role_setting
	setdatabase oid, setrole oid, setconfig text[]
826 r pg_default_acl
	oid oid, defaclrole oid, defaclnamespace oid, defaclobjtype "char", defaclacl aclitem[]
2608 r pg_depend
	classid oid, objid oid, objsubid integer, refclassid oid, refobjid oid, refobjsubid integer,
	deptype "char"
2609 r pg_description
	objoid oid, classoid oid, objsubid integer, description text
3501 r pg_enum
	oid oid, enumtypid oid, enumsortorder real, enumlabel name
3466 r pg_event_trigger
	oid oid, evtname name, evtevent name, evtowner oid, evtfoid oid, evtenabled "char", evttags text[]
3079 r pg_extension
	oid oid, extname name, extowner oid, extnamespace oid, extrelocatable boolean, extversion text,
	extconfig oid[], extcondition text[]
12110 v pg_file_settings
	sourcefile text, sourceline integer, seqno integer, name text, setting text, applied boolean,
	error text
2328 r pg_foreign_data_wrapper
	oid oid, fdwname name, fdwowner oid, fdwhandler oid, fdwvalidator oid, fdwacl aclitem[],
	fdwoptions text[]
1417 r pg_foreign_server
	oid oid, srvname name, srvowner oid, srvfdw oid, srvtype text, srvversion text, srvacl aclitem[],
	srvoptions text[]
3118 r pg_foreign_table
	ftrelid oid, ftserver oid, ftoptions text[]
12010 v pg_group
	groname name, grosysid oid, grolist oid[]
12114 v pg_hba_file_rules
	line_number integer, type text, database text[], user_name text[], address text, netmask text,
	auth_method text, options text[], error text
12118 v pg_ident_file_mappings
	line_number integer, map_name text, sys_name text, pg_username text, error text
2610 r pg_index
	indexrelid oid, indrelid oid, indnatts smallint, indnkeyatts smallint, indisunique boolean,
	indnullsnotdistinct boolean, indisprimary boolean, indisexclusion boolean, indimmediate boolean,
	indisclustered boolean, indisvalid boolean, indcheckxmin boolean, indisready boolean,
	indislive boolean, indisreplident boolean, indkey int2vector, indcollation oidvector,
	indclass oidvector, indoption int2vector, indexprs pg_node_tree, indpred pg_node_tree
12043 v pg_indexes
	schemaname name, tablename name, indexname name, tablespace name, indexdef text
2611 r pg_inherits
	inhrelid oid, inhparent oid, inhseqno integer, inhdetachpending boolean
3394 r pg_init_privs
	objoid oid, classoid oid, objsubid integer, privtype "char", initprivs aclitem[]
2612 r pg_language
	oid oid, lanname name, lanowner oid, lanispl boolean, lanpltrusted boolean, lanplcallfoid oid,
	laninline oid, lanvalidator oid, lanacl aclitem[]
2613 r pg_largeobject
	loid oid, pageno integer, data bytea
2995 r pg_largeobject_metadata
	oid oid, lomowner oid, lomacl aclitem[]
12073 v pg_locks
	locktype text, database oid, relation oid, page integer, tuple smallint, virtualxid text,
	transactionid xid, classid oid, objid oid, objsubid smallint, virtualtransaction text, pid integer,
	mode text, granted boolean, fastpath boolean, waitstart timestamp with time zone
12038 v pg_matviews
	schemaname name, matviewname name, matviewowner name, tablespace name, hasindexes boolean,
	ispopulated boolean, definition text
2615 r pg_namespace
	oid oid, nspname name, nspowner oid, nspacl aclitem[]
2616 r pg_opclass
	oid oid, opcmethod oid, opcname name, opcnamespace oid, opcowner oid, opcfamily oid, opcintype oid,
	opcdefault boolean, opckeytype oid
2617 r pg_operator
	oid oid, oprname name, oprnamespace oid, oprowner oid, oprkind "char", oprcanmerge boolean,
	oprcanhash boolean, oprleft oid, oprright oid, oprresult oid, oprcom oid, oprnegate oid,
	oprcode regproc, oprrest regproc, oprjoin regproc
2753 r pg_opfamily
	oid oid, opfmethod oid, opfname name, opfnamespace oid, opfowner oid
6243 r pg_parameter_acl
	oid oid, parname text, paracl aclitem[]
3350 r pg_partitioned_table
	partrelid oid, partstrat "char", partnatts smallint, partdefid oid, partattrs int2vector,
	partclass oidvector, partcollation oidvector, partexprs pg_node_tree
12018 v pg_policies
	schemaname name, tablename name, policyname name, permissive text, roles name[], cmd text, qual text,
	with_check text
3256 r pg_policy
	oid oid, polname name, polrelid oid, polcmd "char", polpermissive boolean, polroles oid[],
	polqual pg_node_tree, polwithcheck pg_node_tree
12095 v pg_prepared_statements
	name text, statement text, prepare_time timestamp with time zone, parameter_types regtype[],
	from_sql boolean, generic_plans bigint, custom_plans bigint
12090 v pg_prepared_xacts
	transaction xid, gid text, prepared timestamp with time zone, owner name, database name
1255 r pg_proc
	oid oid, proname name, pronamespace oid, proowner oid, prolang oid, procost real, prorows real,
	provariadic oid, prosupport regproc, prokind "char", prosecdef boolean, proleakproof boolean,
	proisstrict boolean, proretset boolean, provolatile "char", proparallel "char", pronargs smallint,
	pronargdefaults smallint, prorettype oid, proargtypes oidvector, proallargtypes oid[],
	proargmodes "char"[], proargnames text[], proargdefaults pg_node_tree, protrftypes oid[],
	prosrc text, probin text, prosqlbody pg_node_tree, proconfig text[], proacl aclitem[]
6104 r pg_publication
	oid oid, pubname name, pubowner oid, puballtables boolean, pubinsert boolean, pubupdate boolean,
	pubdelete boolean, pubtruncate boolean, pubviaroot boolean
6237 r pg_publication_namespace
	oid oid, pnpubid oid, pnnspid oid
6106 r pg_publication_rel
	oid oid, prpubid oid, prrelid oid, prqual pg_node_tree, prattrs int2vector
12068 v pg_publication_tables
	pubname name, schemaname name, tablename name, attnames name[], rowfilter text
3541 r pg_range
	rngtypid oid, rngsubtype oid, rngmultitypid oid, rngcollation oid, rngsubopc oid,
	rngcanonical regproc, rngsubdiff regproc
6000 r pg_replication_origin
	roident oid, roname text
12332 v pg_replication_origin_status
	local_id oid, external_id text, remote_lsn pg_lsn, local_lsn pg_lsn
12257 v pg_replication_slots
	slot_name name, plugin name, slot_type text, datoid oid, database name, temporary boolean,
	active boolean, active_pid integer, xmin xid, catalog_xmin xid, restart_lsn pg_lsn,
	confirmed_flush_lsn pg_lsn, wal_status text, safe_wal_size bigint, two_phase boolean
2618 r pg_rewrite
	oid oid, rulename name, ev_class oid, ev_type "char", ev_enabled "char", is_instead boolean,
	ev_qual pg_node_tree, ev_action pg_node_tree
12000 v pg_roles
	rolname name, rolsuper boolean, rolinherit boolean, rolcreaterole boolean, rolcreatedb boolean,
	rolcanlogin boolean, rolreplication boolean, rolconnlimit integer, rolpassword text,
	rolvaliduntil timestamp with time zone, rolbypassrls boolean, rolconfig text[], oid oid
12023 v pg_rules
	schemaname name, tablename name, rulename name, definition text
3596 r pg_seclabel
	objoid oid, classoid oid, objsubid integer, provider text, label text
12099 v pg_seclabels
	objoid oid, classoid oid, objsubid integer, objtype text, objnamespace oid, objname text,
	provider text, label text
2224 r pg_sequence
	seqrelid oid, seqtypid oid, seqstart bigint, seqincrement bigint, seqmax bigint, seqmin bigint,
	seqcache bigint, seqcycle boolean
12048 v pg_sequences
	schemaname name, sequencename name, sequenceowner name, data_type regtype, start_value bigint,
	min_value bigint, max_value bigint, increment_by bigint, cycle boolean, cache_size bigint,
	last_value bigint
12104 v pg_settings
	name text, setting text, unit text, category text, short_desc text, extra_desc text, context text,
	vartype text, source text, min_val text, max_val text, enumvals text[], boot_val text,
	reset_val text, sourcefile text, sourceline integer, pending_restart boolean
12005 v pg_shadow
	usename name, usesysid oid, usecreatedb boolean, usesuper boolean, userepl boolean,
	usebypassrls boolean, passwd text, valuntil timestamp with time zone, useconfig text[]
1214 r pg_shdepend
	dbid oid, classid oid, objid oid, objsubid integer, refclassid oid, refobjid oid, deptype "char"
2396 r pg_shdescription
	objoid oid, classoid oid, description text
12134 v pg_shmem_allocations
	name text, off bigint, size bigint, allocated_size bigint
3592 r pg_shseclabel
	objoid oid, classoid oid, provider text, label text
12222 v pg_stat_activity
	datid oid, datname name, pid integer, leader_pid integer, usesysid oid, usename name,
	application_name text, client_addr inet, client_hostname text, client_port integer,
	backend_start timestamp with time zone, xact_start timestamp with time zone,
	query_start timestamp with time zone, state_change timestamp with time zone, wait_event_type text,
	wait_event text, state text, backend_xid xid, backend_xmin xid, query_id bigint, query text,
	backend_type text
12183 v pg_stat_all_indexes
	relid oid, indexrelid oid, schemaname name, relname name, indexrelname name, idx_scan bigint,
	idx_tup_read bigint, idx_tup_fetch bigint
12142 v pg_stat_all_tables
	relid oid, schemaname name, relname name, seq_scan bigint, seq_tup_read bigint, idx_scan bigint,
	idx_tup_fetch bigint, n_tup_ins bigint, n_tup_upd bigint, n_tup_del bigint, n_tup_hot_upd bigint,
	n_live_tup bigint, n_dead_tup bigint, n_mod_since_analyze bigint, n_ins_since_vacuum bigint,
	last_vacuum timestamp with time zone, last_autovacuum timestamp with time zone,
	last_analyze timestamp with time zone, last_autoanalyze timestamp with time zone,
	vacuum_count bigint, autovacuum_count bigint, analyze_count bigint, autoanalyze_count bigint
12285 v pg_stat_archiver
	archived_count bigint, last_archived_wal text, last_archived_time timestamp with time zone,
	failed_count bigint, last_failed_wal text, last_failed_time timestamp with time zone,
	stats_reset timestamp with time zone
12289 v pg_stat_bgwriter
	checkpoints_timed bigint, checkpoints_req bigint, checkpoint_write_time double precision,
	checkpoint_sync_time double precision, buffers_checkpoint bigint, buffers_clean bigint,
	maxwritten_clean bigint, buffers_backend bigint, buffers_backend_fsync bigint, buffers_alloc bigint,
	stats_reset timestamp with time zone
12266 v pg_stat_database
	datid oid, datname name, numbackends integer, xact_commit bigint, xact_rollback bigint,
	blks_read bigint, blks_hit bigint, tup_returned bigint, tup_fetched bigint, tup_inserted bigint,
	tup_updated bigint, tup_deleted bigint, conflicts bigint, temp_files bigint, temp_bytes bigint,
	deadlocks bigint, checksum_failures bigint, checksum_last_failure timestamp with time zone,
	blk_read_time double precision, blk_write_time double precision, session_time double precision,
	active_time double precision, idle_in_transaction_time double precision, sessions bigint,
	sessions_abandoned bigint, sessions_fatal bigint, sessions_killed bigint,
	stats_reset timestamp with time zone
12271 v pg_stat_database_conflicts
	datid oid, datname name, confl_tablespace bigint, confl_lock bigint, confl_snapshot bigint,
	confl_bufferpin bigint, confl_deadlock bigint
12253 v pg_stat_gssapi
	pid integer, gss_authenticated boolean, principal text, encrypted boolean
12297 v pg_stat_progress_analyze
	pid integer, datid oid, datname name, relid oid, phase text, sample_blks_total bigint,
	sample_blks_scanned bigint, ext_stats_total bigint, ext_stats_computed bigint,
	child_tables_total bigint, child_tables_done bigint, current_child_table_relid oid
12317 v pg_stat_progress_basebackup
	pid integer, phase text, backup_total bigint, backup_streamed bigint, tablespaces_total bigint,
	tablespaces_streamed bigint
12307 v pg_stat_progress_cluster
	pid integer, datid oid, datname name, relid oid, command text, phase text, cluster_index_relid oid,
	heap_tuples_scanned bigint, heap_tuples_written bigint, heap_blks_total bigint,
	heap_blks_scanned bigint, index_rebuild_count bigint
12322 v pg_stat_progress_copy
	pid integer, datid oid, datname name, relid oid, command text, type text, bytes_processed bigint,
	bytes_total bigint, tuples_processed bigint, tuples_excluded bigint
12312 v pg_stat_progress_create_index
	pid integer, datid oid, datname name, relid oid, index_relid oid, command text, phase text,
	lockers_total bigint, lockers_done bigint, current_locker_pid bigint, blocks_total bigint,
	blocks_done bigint, tuples_total bigint, tuples_done bigint, partitions_total bigint,
	partitions_done bigint
12302 v pg_stat_progress_vacuum
	pid integer, datid oid, datname name, relid oid, phase text, heap_blks_total bigint,
	heap_blks_scanned bigint, heap_blks_vacuumed bigint, index_vacuum_count bigint,
	max_dead_tuples bigint, num_dead_tuples bigint
12240 v pg_stat_recovery_prefetch
	stats_reset timestamp with time zone, prefetch bigint, hit bigint, skip_init bigint, skip_new bigint,
	skip_fpw bigint, skip_rep bigint, wal_distance integer, block_distance integer, io_depth integer
12227 v pg_stat_replication
	pid integer, usesysid oid, usename name, application_name text, client_addr inet,
	client_hostname text, client_port integer, backend_start timestamp with time zone, backend_xmin xid,
	state text, sent_lsn pg_lsn, write_lsn pg_lsn, flush_lsn pg_lsn, replay_lsn pg_lsn,
	write_lag interval, flush_lag interval, replay_lag interval, sync_priority integer, sync_state text,
	reply_time timestamp with time zone
12262 v pg_stat_replication_slots
	slot_name text, spill_txns bigint, spill_count bigint, spill_bytes bigint, stream_txns bigint,
	stream_count bigint, stream_bytes bigint, total_txns bigint, total_bytes bigint,
	stats_reset timestamp with time zone
12232 v pg_stat_slru
	name text, blks_zeroed bigint, blks_hit bigint, blks_read bigint, blks_written bigint,
	blks_exists bigint, flushes bigint, truncates bigint, stats_reset timestamp with time zone
12249 v pg_stat_ssl
	pid integer, ssl boolean, version text, cipher text, bits integer, client_dn text,
	client_serial numeric, issuer_dn text
12244 v pg_stat_subscription
	subid oid, subname name, pid integer, relid oid, received_lsn pg_lsn,
	last_msg_send_time timestamp with time zone, last_msg_receipt_time timestamp with time zone,
	latest_end_lsn pg_lsn, latest_end_time timestamp with time zone
12336 v pg_stat_subscription_stats
	subid oid, subname name, apply_error_count bigint, sync_error_count bigint,
	stats_reset timestamp with time zone
12188 v pg_stat_sys_indexes
	relid oid, indexrelid oid, schemaname name, relname name, indexrelname name, idx_scan bigint,
	idx_tup_read bigint, idx_tup_fetch bigint
12152 v pg_stat_sys_tables
	relid oid, schemaname name, relname name, seq_scan bigint, seq_tup_read bigint, idx_scan bigint,
	idx_tup_fetch bigint, n_tup_ins bigint, n_tup_upd bigint, n_tup_del bigint, n_tup_hot_upd bigint,
	n_live_tup bigint, n_dead_tup bigint, n_mod_since_analyze bigint, n_ins_since_vacuum bigint,
	last_vacuum timestamp with time zone, last_autovacuum timestamp with time zone,
	last_analyze timestamp with time zone, last_autoanalyze timestamp with time zone,
	vacuum_count bigint, autovacuum_count bigint, analyze_count bigint, autoanalyze_count bigint
12275 v pg_stat_user_functions
	funcid oid, schemaname name, funcname name, calls bigint, total_time double precision,
	self_time double precision
12192 v pg_stat_user_indexes
	relid oid, indexrelid oid, schemaname name, relname name, indexrelname name, idx_scan bigint,
	idx_tup_read bigint, idx_tup_fetch bigint
12161 v pg_stat_user_tables
	relid oid, schemaname name, relname name, seq_scan bigint, seq_tup_read bigint, idx_scan bigint,
	idx_tup_fetch bigint, n_tup_ins bigint, n_tup_upd bigint, n_tup_del bigint, n_tup_hot_upd bigint,
	n_live_tup bigint, n_dead_tup bigint, n_mod_since_analyze bigint, n_ins_since_vacuum bigint,
	last_vacuum timestamp with time zone, last_autovacuum timestamp with time zone,
	last_analyze timestamp with time zone, last_autoanalyze timestamp with time zone,
	vacuum_count bigint, autovacuum_count bigint, analyze_count bigint, autoanalyze_count bigint
12293 v pg_stat_wal
	wal_records bigint, wal_fpi bigint, wal_bytes numeric, wal_buffers_full bigint, wal_write bigint,
	wal_sync bigint, wal_write_time double precision, wal_sync_time double precision,
	stats_reset timestamp with time zone
12236 v pg_stat_wal_receiver
	pid integer, status text, receive_start_lsn pg_lsn, receive_start_tli integer, written_lsn pg_lsn,
	flushed_lsn pg_lsn, received_tli integer, last_msg_send_time timestamp with time zone,
	last_msg_receipt_time timestamp with time zone, latest_end_lsn pg_lsn,
	latest_end_time timestamp with time zone, slot_name text, sender_host text, sender_port integer,
	conninfo text
12147 v pg_stat_xact_all_tables
	relid oid, schemaname name, relname name, seq_scan bigint, seq_tup_read bigint, idx_scan bigint,
	idx_tup_fetch bigint, n_tup_ins bigint, n_tup_upd bigint, n_tup_del bigint, n_tup_hot_upd bigint
12157 v pg_stat_xact_sys_tables
	relid oid, schemaname name, relname name, seq_scan bigint, seq_tup_read bigint, idx_scan bigint,
	idx_tup_fetch bigint, n_tup_ins bigint, n_tup_upd bigint, n_tup_del bigint, n_tup_hot_upd bigint
12280 v pg_stat_xact_user_functions
	funcid oid, schemaname name, funcname name, calls bigint, total_time double precision,
	self_time double precision
12166 v pg_stat_xact_user_tables
	relid oid, schemaname name, relname name, seq_scan bigint, seq_tup_read bigint, idx_scan bigint,
	idx_tup_fetch bigint, n_tup_ins bigint, n_tup_upd bigint, n_tup_del bigint, n_tup_hot_upd bigint
12196 v pg_statio_all_indexes
	relid oid, indexrelid oid, schemaname name, relname name, indexrelname name, idx_blks_read bigint,
	idx_blks_hit bigint
12209 v pg_statio_all_sequences
	relid oid, schemaname name, relname name, blks_read bigint, blks_hit bigint
12170 v pg_statio_all_tables
	relid oid, schemaname name, relname name, heap_blks_read bigint, heap_blks_hit bigint,
	idx_blks_read bigint, idx_blks_hit bigint, toast_blks_read bigint, toast_blks_hit bigint,
	tidx_blks_read bigint, tidx_blks_hit bigint
12201 v pg_statio_sys_indexes
	relid oid, indexrelid oid, schemaname name, relname name, indexrelname name, idx_blks_read bigint,
	idx_blks_hit bigint
12214 v pg_statio_sys_sequences
	relid oid, schemaname name, relname name, blks_read bigint, blks_hit bigint
12175 v pg_statio_sys_tables
	relid oid, schemaname name, relname name, heap_blks_read bigint, heap_blks_hit bigint,
	idx_blks_read bigint, idx_blks_hit bigint, toast_blks_read bigint, toast_blks_hit bigint,
	tidx_blks_read bigint, tidx_blks_hit bigint
12205 v pg_statio_user_indexes
	relid oid, indexrelid oid, schemaname name, relname name, indexrelname name, idx_blks_read bigint,
	idx_blks_hit bigint
12218 v pg_statio_user_sequences
	relid oid, schemaname name, relname name, blks_read bigint, blks_hit bigint
12179 v pg_statio_user_tables
	relid oid, schemaname name, relname name, heap_blks_read bigint, heap_blks_hit bigint,
	idx_blks_read bigint, idx_blks_hit bigint, toast_blks_read bigint, toast_blks_hit bigint,
	tidx_blks_read bigint, tidx_blks_hit bigint
2619 r pg_statistic
	starelid oid, staattnum smallint, stainherit boolean, stanullfrac real, stawidth integer,
	stadistinct real, stakind1 smallint, stakind2 smallint, stakind3 smallint, stakind4 smallint,
	stakind5 smallint, staop1 oid, staop2 oid, staop3 oid, staop4 oid, staop5 oid, stacoll1 oid,
	stacoll2 oid, stacoll3 oid, stacoll4 oid, stacoll5 oid, stanumbers1 real[], stanumbers2 real[],
	stanumbers3 real[], stanumbers4 real[], stanumbers5 real[], stavalues1 anyarray, stavalues2 anyarray,
	stavalues3 anyarray, stavalues4 anyarray, stavalues5 anyarray
3381 r pg_statistic_ext
	oid oid, stxrelid oid, stxname name, stxnamespace oid, stxowner oid, stxstattarget integer,
	stxkeys int2vector, stxkind "char"[], stxexprs pg_node_tree
3429 r pg_statistic_ext_data
	stxoid oid, stxdinherit boolean, stxdndistinct pg_ndistinct, stxddependencies pg_dependencies,
	stxdmcv pg_mcv_list, stxdexpr pg_statistic[]
12053 v pg_stats
	schemaname name, tablename name, attname name, inherited boolean, null_frac real, avg_width integer,
	n_distinct real, most_common_vals anyarray, most_common_freqs real[], histogram_bounds anyarray,
	correlation real, most_common_elems anyarray, most_common_elem_freqs real[],
	elem_count_histogram real[]
12058 v pg_stats_ext
	schemaname name, tablename name, statistics_schemaname name, statistics_name name,
	statistics_owner name, attnames name[], exprs text[], kinds "char"[], inherited boolean,
	n_distinct pg_ndistinct, dependencies pg_dependencies, most_common_vals text[],
	most_common_val_nulls boolean[], most_common_freqs double precision[],
	most_common_base_freqs double precision[]
12063 v pg_stats_ext_exprs
	schemaname name, tablename name, statistics_schemaname name, statistics_name name,
	statistics_owner name, expr text, inherited boolean, null_frac real, avg_width integer,
	n_distinct real, most_common_vals anyarray, most_common_freqs real[], histogram_bounds anyarray,
	correlation real, most_common_elems anyarray, most_common_elem_freqs real[],
	elem_count_histogram real[]
6100 r pg_subscription
	oid oid, subdbid oid, subskiplsn pg_lsn, subname name, subowner oid, subenabled boolean,
	subbinary boolean, substream boolean, subtwophasestate "char", subdisableonerr boolean,
	subconninfo text, subslotname name, subsynccommit text, subpublications text[]
6102 r pg_subscription_rel
	srsubid oid, srrelid oid, srsubstate "char", srsublsn pg_lsn
12033 v pg_tables
	schemaname name, tablename name, tableowner name, tablespace name, hasindexes boolean,
	hasrules boolean, hastriggers boolean, rowsecurity boolean
1213 r pg_tablespace
	oid oid, spcname name, spcowner oid, spcacl aclitem[], spcoptions text[]
12122 v pg_timezone_abbrevs
	abbrev text, utc_offset interval, is_dst boolean
12126 v pg_timezone_names
	name text, abbrev text, utc_offset interval, is_dst boolean
3576 r pg_transform
	oid oid, trftype oid, trflang oid, trffromsql regproc, trftosql regproc
2620 r pg_trigger
	oid oid, tgrelid oid, tgparentid oid, tgname name, tgfoid oid, tgtype smallint, tgenabled "char",
	tgisinternal boolean, tgconstrrelid oid, tgconstrindid oid, tgconstraint oid, tgdeferrable boolean,
	tginitdeferred boolean, tgnargs smallint, tgattr int2vector, tgargs bytea, tgqual pg_node_tree,
	tgoldtable name, tgnewtable name
3602 r pg_ts_config
	oid oid, cfgname name, cfgnamespace oid, cfgowner oid, cfgparser oid
3603 r pg_ts_config_map
	mapcfg oid, maptokentype integer, mapseqno integer, mapdict oid
3600 r pg_ts_dict
	oid oid, dictname name, dictnamespace oid, dictowner oid, dicttemplate oid, dictinitoption text
3601 r pg_ts_parser
	oid oid, prsname name, prsnamespace oid, prsstart regproc, prstoken regproc, prsend regproc,
	prsheadline regproc, prslextype regproc
3764 r pg_ts_template
	oid oid, tmplname name, tmplnamespace oid, tmplinit regproc, tmpllexize regproc
1247 r pg_type
	oid oid, typname name, typnamespace oid, typowner oid, typlen smallint, typbyval boolean,
	typtype "char", typcategory "char", typispreferred boolean, typisdefined boolean, typdelim "char",
	typrelid oid, typsubscript regproc, typelem oid, typarray oid, typinput regproc, typoutput regproc,
	typreceive regproc, typsend regproc, typmodin regproc, typmodout regproc, typanalyze regproc,
	typalign "char", typstorage "char", typnotnull boolean, typbasetype oid, typtypmod integer,
	typndims integer, typcollation oid, typdefaultbin pg_node_tree, typdefault text, typacl aclitem[]
12014 v pg_user
	usename name, usesysid oid, usecreatedb boolean, usesuper boolean, userepl boolean,
	usebypassrls boolean, passwd text, valuntil timestamp with time zone, useconfig text[]
1418 r pg_user_mapping
	oid oid, umuser oid, umserver oid, umoptions text[]
12327 v pg_user_mappings
	umid oid, srvid oid, srvname name, umuser oid, usename name, umoptions text[]
12028 v pg_views
	schemaname name, viewname name, viewowner name, definition text
`
