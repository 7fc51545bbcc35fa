import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Properties;

/**
 * Logs in with pgJDBC to the postgres:// URL of the first argument, whose
 * user and password the server checks, and prints current_user. A failed
 * login exits non-zero with pgJDBC's error.
 */
public final class JdbcLogin {
    public static void main(String[] args) throws Exception {
        URI u = new URI(args[0]);
        String[] userInfo = u.getUserInfo().split(":", 2);
        Properties props = new Properties();
        props.setProperty("user", userInfo[0]);
        props.setProperty("password", userInfo.length > 1 ? userInfo[1] : "");
        props.setProperty("sslmode", "disable");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath(), props);
                ResultSet rs = c.createStatement().executeQuery("SELECT current_user")) {
            rs.next();
            System.out.println(rs.getString(1));
        }
    }
}
