// Offline checks of the parsing side of the api library against MLflow's own recorded answers (the reference
// transcripts of real 2.15.1 and 3.14 servers): errors, users, grants, experiments; plus URL, fingerprint and
// database-URI parsing. No server needed.

#include "api/ApiError.h"
#include "api/AuthDatabaseReader.h"
#include "api/Connection.h"
#include "api/TlsPolicy.h"
#include "api/UserListReader.h"
#include "api/WireTypes.h"
#include "tests/common/ReferenceData.h" // tests/common is not on the helper's include path

#include <QtTest>

class TestWireFormat : public QObject
{
    Q_OBJECT

private slots:
    void errorsFromTranscripts_data();
    void errorsFromTranscripts();
    void secretsNeverInMessages();
    void usersFromTranscript();
    void experimentsFromTranscript();
    void userListReaderAgreesWithTreeParse();
    void userListReaderRefusesWhatIsNotAList_data();
    void userListReaderRefusesWhatIsNotAList();
    void tolerantParsing();
    void baseUrlNormalization();
    void queryEncoding();
    void fingerprints();
    void databaseUris_data();
    void databaseUris();
};

namespace {

QByteArray bodyOf(const QJsonObject& exchange)
{
    const QJsonValue body = exchange.value(QLatin1String("response_body"));
    if (body.isString())
        return body.toString().toUtf8();
    return QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact);
}

QByteArray contentTypeOf(const QJsonObject& exchange)
{
    return exchange.value(QLatin1String("response_headers"))
        .toObject()
        .value(QLatin1String("content-type"))
        .toString()
        .toUtf8();
}

// Everything a listing holds, as text, so two ways of reading the same answer can be compared whole.
QStringList describe(const QList<User>& users)
{
    QStringList lines;
    for (const User& user : users) {
        lines << QStringLiteral("user %1 %2 admin=%3 grants=%4/%5")
                     .arg(user.id)
                     .arg(user.username)
                     .arg(user.isAdmin)
                     .arg(user.experimentGrants.size())
                     .arg(user.modelGrants.size());
        for (const Role& role : user.roles) {
            lines << QStringLiteral("  role %1 %2 %3 %4").arg(role.id).arg(role.name, role.workspace, role.description);
            for (const RolePermission& permission : role.permissions)
                lines << QStringLiteral("    %1 %2 %3 %4 %5")
                             .arg(permission.id)
                             .arg(permission.roleId)
                             .arg(permission.resourceType, permission.resourcePattern,
                                  Permissions::name(permission.level));
        }
    }
    return lines;
}

} // namespace

void TestWireFormat::errorsFromTranscripts_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("2.15.1") << QStringLiteral("mlflow-2.15.1-transcript.jsonl");
    QTest::newRow("3.14") << QStringLiteral("mlflow-3.14-transcript.jsonl");
}

void TestWireFormat::errorsFromTranscripts()
{
    QFETCH(QString, file);
    QString error;
    const QList<QJsonObject> exchanges = ReferenceData::transcript(file, &error);
    QVERIFY2(!exchanges.isEmpty(), qPrintable(error));
    int checked = 0;
    for (const QJsonObject& exchange : exchanges) {
        const int status = exchange.value(QLatin1String("status")).toInt();
        if (status < 400)
            continue;
        const QString name = exchange.value(QLatin1String("name")).toString();
        const ApiError apiError = ApiError::fromHttpResponse(status, contentTypeOf(exchange), bodyOf(exchange));
        QVERIFY2(apiError.isError(), qPrintable(name));
        QCOMPARE(apiError.httpStatus(), status);
        QVERIFY2(!apiError.userMessage().isEmpty(), qPrintable(name));
        const QJsonValue body = exchange.value(QLatin1String("response_body"));
        const QString code = body.toObject().value(QLatin1String("error_code")).toString();
        ApiError::Kind expected = ApiError::Kind::InvalidRequest;
        if (status == 401)
            expected = ApiError::Kind::Unauthenticated;
        else if (status == 403)
            expected = ApiError::Kind::PermissionDenied;
        else if (code == QLatin1String("RESOURCE_ALREADY_EXISTS"))
            expected = ApiError::Kind::AlreadyExists;
        else if (code == QLatin1String("RESOURCE_DOES_NOT_EXIST"))
            expected = ApiError::Kind::NotFound;
        else if (status == 404)
            expected = ApiError::Kind::EndpointNotFound; // Flask's HTML page: the route does not exist
        QVERIFY2(apiError.kind() == expected,
                 qPrintable(name + QStringLiteral(": got ") + ApiError::kindName(apiError.kind())));
        QCOMPARE(apiError.errorCode(), code);
        // HTML pages are reduced to their text.
        QVERIFY2(!apiError.serverMessage().contains(QLatin1Char('<')), qPrintable(apiError.serverMessage()));
        ++checked;
    }
    QVERIFY(checked > 20);
}

void TestWireFormat::secretsNeverInMessages()
{
    // MLflow's duplicate-user message embeds the SQL statement and the new password's hash.
    for (const QString& file :
         {QStringLiteral("mlflow-2.15.1-transcript.jsonl"), QStringLiteral("mlflow-3.14-transcript.jsonl")}) {
        QString error;
        const QList<QJsonObject> exchanges = ReferenceData::transcript(file, &error);
        QVERIFY2(!exchanges.isEmpty(), qPrintable(error));
        bool sawLeak = false;
        for (const QJsonObject& exchange : exchanges) {
            const QByteArray body = bodyOf(exchange);
            if (!body.contains("IntegrityError"))
                continue;
            sawLeak = true;
            const ApiError apiError = ApiError::fromHttpResponse(exchange.value(QLatin1String("status")).toInt(),
                                                                 contentTypeOf(exchange), body);
            for (const QString& text : {apiError.userMessage(), apiError.serverMessage(), apiError.toLogString()}) {
                QVERIFY2(!text.contains(QLatin1String("pbkdf2")) && !text.contains(QLatin1String("scrypt")) &&
                             !text.contains(QLatin1String("INSERT")) && !text.contains(QLatin1String("sqlite3")),
                         qPrintable(text));
            }
        }
        QVERIFY2(sawLeak, "the transcript should contain a leaking IntegrityError message");
    }
    const ApiError made = ApiError::fromHttpResponse(
        400, "application/json",
        R"({"error_code":"RESOURCE_ALREADY_EXISTS","message":"User (username=u) already exists. Error: (x) [SQL: INSERT] [parameters: ('u', 'scrypt:32768:8:1$abc$def')]"})");
    QCOMPARE(made.serverMessage(), QStringLiteral("User (username=u) already exists."));
    QVERIFY(made.userMessage().contains(QLatin1String("User (username=u) already exists.")));
}

void TestWireFormat::usersFromTranscript()
{
    QString error;
    const QList<QJsonObject> exchanges =
        ReferenceData::transcript(QStringLiteral("mlflow-2.15.1-transcript.jsonl"), &error);
    QVERIFY2(!exchanges.isEmpty(), qPrintable(error));
    bool found = false;
    for (const QJsonObject& exchange : exchanges) {
        if (exchange.value(QLatin1String("name")).toString() != QLatin1String("get_user1_after_creates"))
            continue;
        found = true;
        const auto user = User::fromJson(
            exchange.value(QLatin1String("response_body")).toObject().value(QLatin1String("user")).toObject());
        QVERIFY(user);
        QCOMPARE(user->username, QStringLiteral("user1"));
        QVERIFY(!user->isAdmin);
        QCOMPARE(user->experimentGrants.size(), 2);
        for (const Grant& grant : user->experimentGrants) {
            QCOMPARE(grant.level, PermissionLevel::Manage);
            QCOMPARE(grant.username, QStringLiteral("user1"));
            QCOMPARE(grant.userId, user->id);
            QCOMPARE(grant.resourceType, ResourceType::Experiment);
        }
    }
    QVERIFY(found);

    // 3.14: users/list rows carry roles but no permission arrays.
    const QList<QJsonObject> newer = ReferenceData::transcript(QStringLiteral("mlflow-3.14-transcript.jsonl"), &error);
    QVERIFY2(!newer.isEmpty(), qPrintable(error));
    for (const QJsonObject& exchange : newer) {
        if (exchange.value(QLatin1String("name")).toString() != QLatin1String("users_list_final"))
            continue;
        const QJsonArray users =
            exchange.value(QLatin1String("response_body")).toObject().value(QLatin1String("users")).toArray();
        QVERIFY(!users.isEmpty());
        for (const QJsonValue& value : users)
            QVERIFY(User::fromJson(value.toObject()));
    }
}

void TestWireFormat::experimentsFromTranscript()
{
    QString error;
    const QList<QJsonObject> exchanges =
        ReferenceData::transcript(QStringLiteral("mlflow-3.14-transcript.jsonl"), &error);
    QVERIFY2(!exchanges.isEmpty(), qPrintable(error));
    for (const QJsonObject& exchange : exchanges) {
        if (exchange.value(QLatin1String("name")).toString() != QLatin1String("search_as_admin"))
            continue;
        const QJsonArray experiments =
            exchange.value(QLatin1String("response_body")).toObject().value(QLatin1String("experiments")).toArray();
        QCOMPARE(experiments.size(), 4);
        for (const QJsonValue& value : experiments) {
            const auto experiment = Experiment::fromJson(value.toObject());
            QVERIFY(experiment);
            QVERIFY(!experiment->name.isEmpty());
            QVERIFY(experiment->creationTime > 0);
            QCOMPARE(experiment->lifecycleStage, QStringLiteral("active"));
        }
        return;
    }
    QFAIL("search_as_admin not in the transcript");
}

// The streaming reader of users/list must give what the JSON tree gives, for every users/list answer real MLflow
// 3.14 sent, compact and indented, and for a document shaped to trip a careless scanner.
void TestWireFormat::userListReaderAgreesWithTreeParse()
{
    const auto treeParse = [](const QByteArray& body) {
        QList<User> users;
        for (const QJsonValue& value : QJsonDocument::fromJson(body).object().value(QLatin1String("users")).toArray()) {
            if (const auto user = User::fromJson(value.toObject()))
                users.append(*user);
        }
        return users;
    };
    QList<QByteArray> bodies;
    for (const QString& file :
         {QStringLiteral("mlflow-3.14-transcript.jsonl"), QStringLiteral("mlflow-3.14-workspaces-transcript.jsonl")}) {
        QString error;
        const QList<QJsonObject> exchanges = ReferenceData::transcript(file, &error);
        QVERIFY2(!exchanges.isEmpty(), qPrintable(error));
        for (const QJsonObject& exchange : exchanges) {
            const QString path = exchange.value(QLatin1String("path")).toString();
            if (!path.endsWith(QLatin1String("mlflow/users/list")) || exchange.value(QLatin1String("status")) != 200)
                continue;
            bodies << bodyOf(exchange)
                   << QJsonDocument(exchange.value(QLatin1String("response_body")).toObject()).toJson();
        }
    }
    QVERIFY(bodies.size() >= 8);
    const QJsonObject permission{{QStringLiteral("id"), 9},
                                 {QStringLiteral("permission"), QStringLiteral("READ")},
                                 {QStringLiteral("resource_pattern"), QStringLiteral("a]}\"{[\\")},
                                 {QStringLiteral("resource_type"), QStringLiteral("experiment")},
                                 {QStringLiteral("role_id"), 4}};
    const QJsonObject role{{QStringLiteral("description"), QStringLiteral("with \u00e9 and \\u escapes")},
                           {QStringLiteral("id"), 4},
                           {QStringLiteral("name"), QStringLiteral("team,]")},
                           {QStringLiteral("permissions"), QJsonArray{permission, permission}},
                           {QStringLiteral("workspace"), QStringLiteral("default")}};
    const QJsonObject other{{QStringLiteral("id"), 5}, {QStringLiteral("name"), QStringLiteral("other")}};
    QJsonArray users;
    for (int i = 0; i < 3; ++i) {
        users.append(QJsonObject{{QStringLiteral("id"), i + 1},
                                 {QStringLiteral("is_admin"), i == 0},
                                 {QStringLiteral("future_field"), QJsonObject{{QStringLiteral("x"), QJsonArray{1, 2}}}},
                                 {QStringLiteral("roles"), i == 2 ? QJsonArray{other, role} : QJsonArray{role}},
                                 {QStringLiteral("username"), QStringLiteral("us\"er\\%1").arg(i)}});
    }
    // Large roles are recognised by their first bytes and compared whole: two that differ only after a long shared
    // beginning, each repeated, must stay two roles.
    const auto largeRole = [&](int id, const QString& pattern) {
        QJsonArray permissions;
        for (int p = 0; p < 6; ++p) {
            QJsonObject granted = permission;
            granted.insert(QStringLiteral("resource_pattern"), pattern + QString::number(p));
            permissions.append(granted);
        }
        return QJsonObject{{QStringLiteral("description"), QString(300, QLatin1Char('d'))},
                           {QStringLiteral("id"), 4},
                           {QStringLiteral("name"), QStringLiteral("same")},
                           {QStringLiteral("permissions"), permissions},
                           {QStringLiteral("workspace"), QStringLiteral("w%1").arg(id)}};
    };
    for (int i = 3; i < 7; ++i) {
        users.append(QJsonObject{
            {QStringLiteral("id"), i + 1},
            {QStringLiteral("roles"), QJsonArray{largeRole(i % 2, QStringLiteral("/x")), role,
                                                 largeRole(2, i == 6 ? QStringLiteral("/z") : QStringLiteral("/y"))}},
            {QStringLiteral("username"), QStringLiteral("large%1").arg(i)}});
    }
    const QJsonObject tricky{{QStringLiteral("a_first"), QStringLiteral("}]")}, {QStringLiteral("users"), users}};
    bodies << QJsonDocument(tricky).toJson(QJsonDocument::Compact) << QJsonDocument(tricky).toJson() << QByteArray("{}")
           << QByteArray(" {\"users\" : [ ] } \n")
           << QByteArray(R"({"users":[{"id":1,"roles":[]},{"id":2,"username":"kept","roles":[{"id":3}]}]})");
    for (const QByteArray& body : std::as_const(bodies)) {
        QString error;
        const std::optional<UserListing> listing = readUserList(body, &error);
        QVERIFY2(listing, qPrintable(error + QLatin1Char(' ') + QString::fromUtf8(body.left(200))));
        QCOMPARE(listing->source, ListingSource::ServerApi);
        QCOMPARE(describe(listing->users), describe(treeParse(body)));
    }
    const std::optional<UserListing> trickyListing =
        readUserList(QJsonDocument(tricky).toJson(QJsonDocument::Compact), nullptr);
    QCOMPARE(trickyListing->users.size(), 7);
    QCOMPARE(trickyListing->users.at(2).roles.size(), 2);
    QCOMPARE(trickyListing->users.at(2).roles.at(1).permissions.at(0).resourcePattern, QStringLiteral("a]}\"{[\\"));
    QCOMPARE(trickyListing->users.at(4).roles.at(0).workspace, QStringLiteral("w0"));
    QCOMPARE(trickyListing->users.at(5).roles.at(0).workspace, QStringLiteral("w1"));
    QCOMPARE(trickyListing->users.at(5).roles.at(2).permissions.at(5).resourcePattern, QStringLiteral("/y5"));
    QCOMPARE(trickyListing->users.at(6).roles.at(2).permissions.at(5).resourcePattern, QStringLiteral("/z5"));
}

void TestWireFormat::userListReaderRefusesWhatIsNotAList_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("array") << QByteArray("[]");
    QTest::newRow("truncated") << QByteArray(R"({"users":[{"id":1,"username":"a","roles":[{"id":2,"na)");
    QTest::newRow("users not a list") << QByteArray(R"({"users":{"id":1}})");
    QTest::newRow("user not an object") << QByteArray(R"({"users":["admin"]})");
    QTest::newRow("role not an object") << QByteArray(R"({"users":[{"username":"a","roles":[7]}]})");
    QTest::newRow("broken role") << QByteArray(R"({"users":[{"username":"a","roles":[{"id":}]}]})");
    QTest::newRow("broken scalar") << QByteArray(R"({"users":[{"username":"a","id":1x}]})");
    QTest::newRow("trailing garbage") << QByteArray(R"({"users":[]} x)");
    QTest::newRow("missing comma") << QByteArray(R"({"users":[{"username":"a"} {"username":"b"}]})");
    // A large role, then the same role cut short: the second is not taken for the first.
    const QByteArray large = R"({"description":")" + QByteArray(300, 'd') + R"(","id":4,"permissions":[]})";
    const QByteArray twice =
        R"({"users":[{"username":"a","roles":[)" + large + R"(]},{"username":"b","roles":[)" + large + "]}]}";
    QTest::newRow("large role cut short") << twice.left(twice.size() - 40);
}

void TestWireFormat::userListReaderRefusesWhatIsNotAList()
{
    QFETCH(QByteArray, body);
    QString error;
    QVERIFY(!readUserList(body, &error));
    QVERIFY2(error.contains(QLatin1String("users/list")), qPrintable(error));
}

void TestWireFormat::tolerantParsing()
{
    // Missing optional fields keep defaults; int64 may come as strings.
    const auto experiment = Experiment::fromJson(QJsonObject{{QStringLiteral("experiment_id"), QStringLiteral("7")},
                                                             {QStringLiteral("creation_time"), QStringLiteral("42")}});
    QVERIFY(experiment);
    QCOMPARE(experiment->creationTime, 42);
    QCOMPARE(experiment->lifecycleStage, QStringLiteral("active"));
    QVERIFY(!Experiment::fromJson(QJsonObject{}));
    const auto model = RegisteredModel::fromJson(QJsonObject{{QStringLiteral("name"), QStringLiteral("m")}});
    QVERIFY(model);
    QVERIFY(model->description.isEmpty());
    const auto user = User::fromJson(QJsonObject{{QStringLiteral("username"), QStringLiteral("u")}});
    QVERIFY(user);
    QCOMPARE(user->id, -1);
    QVERIFY(!User::fromJson(QJsonObject{{QStringLiteral("id"), 3}}));
    // A lower-case level is not a level in MLflow; do not guess.
    QVERIFY(!Grant::fromJson(QJsonObject{{QStringLiteral("experiment_id"), QStringLiteral("1")},
                                         {QStringLiteral("permission"), QStringLiteral("read")}},
                             ResourceType::Experiment));
}

void TestWireFormat::baseUrlNormalization()
{
    QString error;
    auto url = Connection::normalizeBaseUrl(QStringLiteral("https://bob:secret@host.example/mlflow/?x=1#f"), &error);
    QVERIFY(url);
    QCOMPARE(url->toString(), QStringLiteral("https://host.example/mlflow"));
    QVERIFY(!Connection::normalizeBaseUrl(QStringLiteral("ftp://host/"), &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!Connection::normalizeBaseUrl(QString(), &error));

    Connection connection(QUrl(QStringLiteral("https://host.example/mlflow/")), QStringLiteral("u"),
                          QStringLiteral("p"));
    QCOMPARE(connection.urlFor(QStringLiteral("/health")).toString(),
             QStringLiteral("https://host.example/mlflow/health"));
}

void TestWireFormat::queryEncoding()
{
    Connection connection(QUrl(QStringLiteral("http://127.0.0.1:1")), QStringLiteral("u"), QStringLiteral("p"));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("username"), QStringLiteral("ann+ml@example.org"));
    query.addQueryItem(QStringLiteral("filter"), QStringLiteral("name LIKE '/a&b=c/%'"));
    const QByteArray encoded = connection.urlFor(QStringLiteral("/x"), query).toEncoded();
    QVERIFY2(encoded.contains("username=ann%2Bml%40example.org"), encoded.constData());
    QVERIFY2(encoded.contains("filter=name%20LIKE%20%27%2Fa%26b%3Dc%2F%25%27"), encoded.constData());
}

void TestWireFormat::fingerprints()
{
    const QByteArray digest = QByteArray::fromHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    const QString text = Tls::formatFingerprint(digest);
    QVERIFY(text.startsWith(QLatin1String("00:11:22:33")));
    QCOMPARE(Tls::parseFingerprint(text), digest);
    QCOMPARE(Tls::parseFingerprint(text.toLower().remove(QLatin1Char(':'))), digest);
    QCOMPARE(Tls::parseFingerprint(QStringLiteral("00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF 00 11 22 33 44 55 "
                                                  "66 77 88 99 AA BB CC DD EE FF")),
             digest);
    QVERIFY(Tls::parseFingerprint(QStringLiteral("AB:CD")).isEmpty()); // SHA-1 length or typos never pin
    QVERIFY(Tls::parseFingerprint(QStringLiteral("zz")).isEmpty());
}

void TestWireFormat::databaseUris_data()
{
    QTest::addColumn<QString>("uri");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("driver");
    QTest::addColumn<QString>("database");
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("user");

    QTest::newRow("sqlite absolute") << "sqlite:////srv/mlflow/basic_auth.db" << true << "QSQLITE"
                                     << "/srv/mlflow/basic_auth.db"
                                     << ""
                                     << "";
    QTest::newRow("sqlite relative") << "sqlite:///basic_auth.db" << true << "QSQLITE"
                                     << "/base/dir/basic_auth.db"
                                     << ""
                                     << "";
    QTest::newRow("sqlite memory") << "sqlite://" << false << ""
                                   << ""
                                   << ""
                                   << "";
    QTest::newRow("postgresql") << "postgresql://mlflow@db.example:5433/auth" << true << "QPSQL"
                                << "auth"
                                << "db.example"
                                << "mlflow";
    QTest::newRow("postgresql+psycopg2") << "postgresql+psycopg2://u:p%40ss@db/auth" << true << "QPSQL"
                                         << "auth"
                                         << "db"
                                         << "u";
    QTest::newRow("mysql+pymysql") << "mysql+pymysql://u@db/auth" << true << "QMYSQL"
                                   << "auth"
                                   << "db"
                                   << "u";
    QTest::newRow("oracle") << "oracle://u@db/auth" << false << ""
                            << ""
                            << ""
                            << "";
    QTest::newRow("no scheme") << "/srv/basic_auth.db" << false << ""
                               << ""
                               << ""
                               << "";
}

void TestWireFormat::databaseUris()
{
    QFETCH(QString, uri);
    QFETCH(bool, valid);
    QString error;
    const auto location = AuthDatabaseLocation::fromUri(uri, &error, QStringLiteral("/base/dir"));
    QCOMPARE(bool(location), valid);
    if (!valid) {
        QVERIFY(!error.isEmpty());
        return;
    }
    QTEST(location->driver, "driver");
    QTEST(location->databaseName, "database");
    QTEST(location->host, "host");
    QTEST(location->user, "user");
    // The password is usable but never displayed.
    QVERIFY(!location->displayUri.contains(QLatin1String("p%40ss")) &&
            !location->displayUri.contains(QLatin1String("p@ss")));
    if (uri.contains(QLatin1String("5433")))
        QCOMPARE(location->port, 5433);
}

QTEST_GUILESS_MAIN(TestWireFormat)
#include "tst_wireformat.moc"
