import java.math.BigDecimal;
import java.net.URI;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import org.postgresql.util.PGInterval;
import org.postgresql.util.PGobject;

/**
 * pgJDBC against the server whose postgres:// URL is the first argument:
 * PreparedStatement with every type (setObject/getObject, text and binary
 * transfer), batches, cursor-based fetching with a fetch size, errors with
 * their SQLSTATE, and the DatabaseMetaData calls that Metabase and DBeaver
 * make. Each check prints "PASS name" or "FAIL name: reason", then "END";
 * the exit status is 1 if a check failed. Leaves jdbc_items (rows 1..100:
 * id, "item-" + id, id * 1.25) and jdbc_types for clients_test.go.
 */
public final class JdbcClient {
    private static String jdbcURL;
    private static Properties props;

    /** A check's expectation that did not hold. */
    static final class CheckFailed extends RuntimeException {
        CheckFailed(String message) {
            super(message);
        }
    }

    interface Check {
        void run() throws Exception;
    }

    static void expect(Object got, Object want, String what) {
        boolean equal = got instanceof byte[] g && want instanceof byte[] w ? Arrays.equals(g, w) : Objects.equals(got, want);
        if (!equal) {
            throw new CheckFailed(what + ": got " + show(got) + ", want " + show(want));
        }
    }

    static String show(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof byte[] b) {
            return Arrays.toString(b);
        }
        return v + " (" + v.getClass().getSimpleName() + ")";
    }

    static Connection connect(String extra) throws SQLException {
        return DriverManager.getConnection(jdbcURL + extra, props);
    }

    static BigDecimal price(int i) {
        return new BigDecimal(i).multiply(new BigDecimal("1.25"));
    }

    static void connectDDL() throws Exception {
        try (Connection c = connect(""); Statement st = c.createStatement()) {
            DatabaseMetaData md = c.getMetaData();
            expect(md.getDatabaseProductName(), "PostgreSQL", "database product name");
            expect(md.getDatabaseMajorVersion() >= 15, true, "major version is 15 or later");
            st.execute("CREATE TABLE jdbc_items (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2))");
        }
    }

    /**
     * Rows 1..100, in batches of ten, with and without the insert rewriting;
     * then a materialized view over them, read back.
     */
    static void batches() throws Exception {
        for (String extra : new String[] {"", "?reWriteBatchedInserts=true"}) {
            try (Connection c = connect(extra);
                    PreparedStatement ps = c.prepareStatement("INSERT INTO jdbc_items VALUES (?, ?, ?)")) {
                int first = extra.isEmpty() ? 1 : 51;
                for (int b = first; b < first + 50; b += 10) {
                    for (int i = b; i < b + 10; i++) {
                        ps.setLong(1, i);
                        ps.setString(2, "item-" + i);
                        ps.setBigDecimal(3, price(i));
                        ps.addBatch();
                    }
                    int[] counts = ps.executeBatch();
                    expect(counts.length, 10, "statements in the batch");
                    for (int n : counts) {
                        // The rewritten batch reports SUCCESS_NO_INFO (-2) per row.
                        expect(n == 1 || n == Statement.SUCCESS_NO_INFO, true, "update count " + n);
                    }
                }
            }
        }
        try (Connection c = connect(""); Statement st = c.createStatement()) {
            st.execute("CREATE MATERIALIZED VIEW jdbc_totals AS SELECT count(*) AS n, sum(price) AS total FROM jdbc_items");
            ResultSet rs = st.executeQuery("SELECT n, total FROM jdbc_totals");
            expect(rs.next(), true, "a row of the view");
            expect(rs.getLong(1), 100L, "count of the view");
            BigDecimal total = BigDecimal.ZERO;
            for (int i = 1; i <= 100; i++) {
                total = total.add(price(i));
            }
            expect(rs.getBigDecimal(2), total, "sum of the view");
        }
    }

    /** A query with a fetch size in a transaction reads through a portal, 7 rows a round trip. */
    static void fetchSize() throws Exception {
        try (Connection c = connect("")) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT id, name, price FROM jdbc_items WHERE id > ? ORDER BY id")) {
                ps.setFetchSize(7);
                ps.setLong(1, 10);
                try (ResultSet rs = ps.executeQuery()) {
                    for (int i = 11; i <= 100; i++) {
                        expect(rs.next(), true, "row " + i + " present");
                        expect(rs.getLong(1), (long) i, "id");
                        expect(rs.getString(2), "item-" + i, "name");
                        expect(rs.getBigDecimal(3), price(i), "price");
                    }
                    expect(rs.next(), false, "no row after 100");
                }
            }
            c.commit();
        }
    }

    /** Reads column i of the current row in a typed way. */
    interface Reader {
        Object read(ResultSet rs, int i) throws SQLException;
    }

    /** getObject(i, c), with an OffsetDateTime turned to UTC. */
    static Reader as(Class<?> c) {
        return (rs, i) -> {
            Object v = rs.getObject(i, c);
            return v instanceof OffsetDateTime odt ? odt.withOffsetSameInstant(ZoneOffset.UTC) : v;
        };
    }

    /**
     * A column, the value set with setObject, the value getObject returns,
     * and the value a typed read (getObject(i, class) or, for bytea, which
     * pgJDBC does not convert that way, getBytes) returns.
     */
    record TypeCase(String column, Object set, Object get, Reader typed, Object typedValue) {}

    static List<TypeCase> typeCases() throws SQLException {
        PGobject json = new PGobject();
        json.setType("jsonb");
        json.setValue("{\"a\": 1, \"b\": [\"x\", null]}");
        PGInterval iv = new PGInterval(0, 0, 3, 4, 5, 6.5);
        LocalDate d = LocalDate.of(2024, 2, 29);
        LocalTime tm = LocalTime.of(13, 45, 6, 789000);
        LocalDateTime ts = LocalDateTime.of(2024, 2, 29, 13, 45, 6, 789012000);
        OffsetDateTime tz = OffsetDateTime.of(2024, 2, 29, 11, 45, 6, 0, ZoneOffset.UTC);
        return List.of(
                new TypeCase("b", true, true, as(Boolean.class), true),
                new TypeCase("i2", (short) -32768, -32768, as(Short.class), (short) -32768),
                new TypeCase("i4", 2147483647, 2147483647, as(Integer.class), 2147483647),
                new TypeCase("i8", Long.MIN_VALUE, Long.MIN_VALUE, as(Long.class), Long.MIN_VALUE),
                new TypeCase("f4", 1.5f, 1.5f, as(Float.class), 1.5f),
                new TypeCase("f8", -0.1d, -0.1d, as(Double.class), -0.1d),
                new TypeCase("n", new BigDecimal("-123456.789"), new BigDecimal("-123456.789"), as(BigDecimal.class), new BigDecimal("-123456.789")),
                new TypeCase("t", "text ☃ 'quoted' \\ backslash", "text ☃ 'quoted' \\ backslash", as(String.class), "text ☃ 'quoted' \\ backslash"),
                new TypeCase("vc", "varchar", "varchar", as(String.class), "varchar"),
                new TypeCase("by", new byte[] {0, 1, (byte) 0xff}, new byte[] {0, 1, (byte) 0xff}, (rs, i) -> rs.getBytes(i), new byte[] {0, 1, (byte) 0xff}),
                new TypeCase("d", d, java.sql.Date.valueOf(d), as(LocalDate.class), d),
                new TypeCase("tm", tm, java.sql.Time.valueOf(LocalTime.of(13, 45, 6)), as(LocalTime.class), tm),
                new TypeCase("ts", ts, java.sql.Timestamp.valueOf(ts), as(LocalDateTime.class), ts),
                new TypeCase("tz", tz, java.sql.Timestamp.from(tz.toInstant()), as(OffsetDateTime.class), tz),
                new TypeCase("iv", iv, iv, as(PGInterval.class), iv),
                new TypeCase("j", json, json, as(PGobject.class), json));
    }

    /**
     * Every type through setObject and back through getObject, once in text
     * and once in binary (prepareThreshold=-1 prepares at once and
     * transfers in binary where pgJDBC can).
     */
    static void types() throws Exception {
        List<TypeCase> cases = typeCases();
        List<String> cols = new ArrayList<>();
        for (TypeCase tc : cases) {
            cols.add(tc.column());
        }
        String columns = String.join(", ", cols);
        String marks = String.join(", ", java.util.Collections.nCopies(cases.size(), "?"));
        try (Connection c = connect(""); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE jdbc_types (b boolean, i2 smallint, i4 int, i8 bigint, f4 real, f8 double precision,"
                    + " n numeric(12,3), t text, vc varchar(10), by bytea, d date, tm time, ts timestamp, tz timestamptz,"
                    + " iv interval, j jsonb)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO jdbc_types (" + columns + ") VALUES (" + marks + ")")) {
                for (int i = 0; i < cases.size(); i++) {
                    ps.setObject(i + 1, cases.get(i).set());
                }
                expect(ps.executeUpdate(), 1, "rows inserted");
                for (int i = 0; i < cases.size(); i++) {
                    ps.setNull(i + 1, Types.NULL);
                }
                expect(ps.executeUpdate(), 1, "NULL rows inserted");
            }
        }
        for (String extra : new String[] {"", "?prepareThreshold=-1"}) {
            try (Connection c = connect(extra);
                    PreparedStatement ps = c.prepareStatement("SELECT " + columns + " FROM jdbc_types ORDER BY b NULLS LAST")) {
                String mode = extra.isEmpty() ? "text" : "binary";
                try (ResultSet rs = ps.executeQuery()) {
                    expect(rs.next(), true, "the typed row (" + mode + ")");
                    for (int i = 0; i < cases.size(); i++) {
                        TypeCase tc = cases.get(i);
                        expect(rs.getObject(i + 1), tc.get(), "getObject of " + tc.column() + " (" + mode + ")");
                        expect(tc.typed().read(rs, i + 1), tc.typedValue(), "typed read of " + tc.column() + " (" + mode + ")");
                    }
                    expect(rs.next(), true, "the NULL row (" + mode + ")");
                    for (int i = 0; i < cases.size(); i++) {
                        expect(rs.getObject(i + 1), null, "NULL " + cases.get(i).column() + " (" + mode + ")");
                    }
                    expect(rs.next(), false, "no third row (" + mode + ")");
                }
            }
        }
    }

    static void errors() throws Exception {
        try (Connection c = connect(""); Statement st = c.createStatement()) {
            try {
                st.executeQuery("SELECT * FROM jdbc_missing");
                throw new CheckFailed("a missing table did not fail");
            } catch (SQLException e) {
                expect(e.getSQLState(), "42P01", "SQLSTATE of a missing table");
            }
            try (ResultSet rs = st.executeQuery("SELECT 1")) {
                expect(rs.next() && rs.getInt(1) == 1, true, "the connection after 42P01");
            }
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO jdbc_items VALUES (?, 'again', 0)")) {
                ps.setLong(1, 1);
                ps.executeUpdate();
                throw new CheckFailed("a duplicate key did not fail");
            } catch (SQLException e) {
                expect(e.getSQLState(), "23505", "SQLSTATE of a duplicate key");
            }
            try {
                st.executeQuery("SELECT 1");
                throw new CheckFailed("a statement in an aborted transaction did not fail");
            } catch (SQLException e) {
                expect(e.getSQLState(), "25P02", "SQLSTATE in an aborted transaction");
            }
            c.rollback();
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM jdbc_items")) {
                expect(rs.next() && rs.getLong(1) == 100, true, "count after the errors");
            }
            c.commit();
        }
    }

    /** Rows of a metadata result set: the named columns of each row, as strings. */
    static List<List<String>> rows(ResultSet rs, String... columns) throws SQLException {
        List<List<String>> out = new ArrayList<>();
        try (rs) {
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (String col : columns) {
                    row.add(rs.getString(col));
                }
                out.add(row);
            }
        }
        return out;
    }

    /** The DatabaseMetaData calls of Metabase's and DBeaver's schema browsers. */
    static void metadata() throws Exception {
        try (Connection c = connect("")) {
            DatabaseMetaData md = c.getMetaData();
            List<List<String>> schemas = rows(md.getSchemas(), "TABLE_SCHEM");
            expect(schemas.contains(List.of("public")), true, "getSchemas lists public: " + schemas);
            expect(schemas.contains(List.of("pg_catalog")), true, "getSchemas lists pg_catalog: " + schemas);
            expect(rows(md.getSchemas(null, "pub%"), "TABLE_SCHEM"), List.of(List.of("public")), "getSchemas(null, pub%)");
            expect(rows(md.getTables(null, "public", "jdbc_%", new String[] {"TABLE"}), "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE"),
                    List.of(List.of("public", "jdbc_items", "TABLE"), List.of("public", "jdbc_types", "TABLE")),
                    "getTables of type TABLE");
            expect(rows(md.getTables(null, "public", "jdbc_%", new String[] {"MATERIALIZED VIEW"}), "TABLE_NAME", "TABLE_TYPE"),
                    List.of(List.of("jdbc_totals", "MATERIALIZED VIEW")), "getTables of type MATERIALIZED VIEW");
            // Metabase asks for every kind it can sync at once.
            expect(rows(md.getTables(null, "public", "%", new String[] {"TABLE", "PARTITIONED TABLE", "VIEW", "FOREIGN TABLE", "MATERIALIZED VIEW"}),
                    "TABLE_NAME"), List.of(List.of("jdbc_totals"), List.of("jdbc_items"), List.of("jdbc_types")),
                    "getTables of every kind Metabase syncs, ordered by type and name");
            expect(rows(md.getColumns(null, "public", "jdbc_items", "%"),
                    "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME", "COLUMN_SIZE", "DECIMAL_DIGITS", "NULLABLE", "ORDINAL_POSITION", "IS_NULLABLE"),
                    List.of(List.of("id", String.valueOf(Types.BIGINT), "int8", "19", "0", String.valueOf(DatabaseMetaData.columnNoNulls), "1", "NO"),
                            List.of("name", String.valueOf(Types.VARCHAR), "text", "2147483647", "0", String.valueOf(DatabaseMetaData.columnNoNulls), "2", "NO"),
                            List.of("price", String.valueOf(Types.NUMERIC), "numeric", "10", "2", String.valueOf(DatabaseMetaData.columnNullable), "3", "YES")),
                    "getColumns of jdbc_items");
            List<List<String>> typeNames = rows(md.getColumns(null, "public", "jdbc_types", "%"), "COLUMN_NAME", "TYPE_NAME");
            expect(typeNames, List.of(List.of("b", "bool"), List.of("i2", "int2"), List.of("i4", "int4"), List.of("i8", "int8"),
                    List.of("f4", "float4"), List.of("f8", "float8"), List.of("n", "numeric"), List.of("t", "text"),
                    List.of("vc", "varchar"), List.of("by", "bytea"), List.of("d", "date"), List.of("tm", "time"),
                    List.of("ts", "timestamp"), List.of("tz", "timestamptz"), List.of("iv", "interval"), List.of("j", "jsonb")),
                    "getColumns type names of jdbc_types");
            expect(rows(md.getColumns(null, "public", "jdbc_totals", "%"), "COLUMN_NAME", "TYPE_NAME"),
                    List.of(List.of("n", "int8"), List.of("total", "numeric")), "getColumns of the materialized view");
            expect(rows(md.getPrimaryKeys(null, "public", "jdbc_items"), "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ"),
                    List.of(List.of("jdbc_items", "id", "1")), "getPrimaryKeys of jdbc_items");
            expect(rows(md.getPrimaryKeys(null, "public", "jdbc_types"), "COLUMN_NAME"), List.of(), "getPrimaryKeys of a table without one");
        }
    }

    public static void main(String[] args) throws Exception {
        URI u = new URI(args[0]);
        jdbcURL = "jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath();
        props = new Properties();
        props.setProperty("user", u.getUserInfo().split(":")[0]);
        if (u.getUserInfo().contains(":")) {
            props.setProperty("password", u.getUserInfo().split(":", 2)[1]);
        }
        props.setProperty("sslmode", "disable");
        Object[][] checks = {
            {"connect_ddl", (Check) JdbcClient::connectDDL},
            {"batches", (Check) JdbcClient::batches},
            {"fetch_size", (Check) JdbcClient::fetchSize},
            {"types", (Check) JdbcClient::types},
            {"errors", (Check) JdbcClient::errors},
            {"metadata", (Check) JdbcClient::metadata},
        };
        int failed = 0;
        for (Object[] check : checks) {
            try {
                ((Check) check[1]).run();
                System.out.println("PASS " + check[0]);
            } catch (Exception e) {
                failed++;
                System.out.println("FAIL " + check[0] + ": " + String.valueOf(e).replace("\n", " | "));
                e.printStackTrace();
            }
            System.out.flush();
        }
        System.out.println("END");
        System.exit(failed > 0 ? 1 : 0);
    }
}
