#include "server/PasswordHash.h"

#include <QElapsedTimer>
#include <QSet>
#include <QTest>

namespace {

// "pässwörd✓", spelled with escapes so the test does not depend on the source file's encoding.
QByteArray nonAsciiPassword()
{
    return QStringLiteral(u"p\u00e4ssw\u00f6rd\u2713").toUtf8();
}

// Cheap, valid vector that the garbage rows below are built from, so that only the garbage part fails.
const QByteArray cheapVector =
    "pbkdf2:sha256:1000$F9Agz7pS6j4Ql5ry$68ac6103e1be7bfc2ac21b8e4ef793649741289ebc0fc18d0854a7bf6a1c71b7";
const QByteArray sha256Hex = "68ac6103e1be7bfc2ac21b8e4ef793649741289ebc0fc18d0854a7bf6a1c71b7";
const QByteArray scryptHex = "40fe30d064d9311b539b60c3721f7e5a829db71fa28aaadb60210ca232bedd51"
                             "c242d3a0654e6cc7515fd37eafb5e8d137e1323e778bb780ceaa7217f9e9c99f";

bool isSaltCharacter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

} // namespace

class TestPasswordHash : public QObject
{
    Q_OBJECT

private:
    static void werkzeugVectors_data();

private slots:
    void verifiesWerkzeugVectors_data() { werkzeugVectors_data(); }
    void verifiesWerkzeugVectors();
    void generateReproducesWerkzeugVectors_data() { werkzeugVectors_data(); }
    void generateReproducesWerkzeugVectors();
    void acceptsEmptySaltLikeWerkzeug();
    void defaultMethodIsWerkzeug23Default();
    void randomSaltsDifferAndVerify();
    void generateRefusesBadInput_data();
    void generateRefusesBadInput();
    void rejectsGarbage_data();
    void rejectsGarbage();
    void constantTimeEquals_data();
    void constantTimeEquals();
};

// Strings made by Werkzeug 3.1.8's generate_password_hash(password, method=...); the last scrypt row used the default
// method, which is what MLflow stores today. Literal, so that the test needs no Python.
void TestPasswordHash::werkzeugVectors_data()
{
    QTest::addColumn<QByteArray>("stored");
    QTest::addColumn<QByteArray>("password");
    QTest::addColumn<QByteArray>("wrongPassword");

    QTest::newRow("pbkdf2:sha256:600000 (Werkzeug 2.3)")
        << QByteArray("pbkdf2:sha256:600000$hrsE5W41HfFTj9fV$"
                      "5fe8a9fac9b0c83205156b6a0c40f62869fbe6ef583a2cf74040ddfafa38f6cf")
        << QByteArray("password1234") << QByteArray("password1235");
    QTest::newRow("pbkdf2:sha256:260000 (Werkzeug 2.2)")
        << QByteArray("pbkdf2:sha256:260000$XjYQV6AHRClD4ox2$"
                      "867cd676676a33c286d2f591d88a3db5db51dd47081412299c33e4c079b65ef6")
        << QByteArray("password") << QByteArray("Password");
    QTest::newRow("pbkdf2:sha512:1000") << QByteArray(
                                               "pbkdf2:sha512:1000$eyLicmk024VRRn8Z$"
                                               "efb60b3108dd60071e1954154015db467d1d69599ffd6ddd52c3cceed1e81dba"
                                               "e3d6bfb0f3a9bc825acb363b6228c2b0caf247559a48e37ffbe256c9458f7510")
                                        << QByteArray("hunter2-sha512") << QByteArray("hunter2-sha256");
    QTest::newRow("pbkdf2:sha256:1000 non-ASCII") << cheapVector << nonAsciiPassword() << QByteArray("passwoerd");
    QTest::newRow("scrypt:32768:8:1 (Werkzeug 3 default)")
        << QByteArray("scrypt:32768:8:1$BVW0waGigoF7EbZd$"
                      "06658e87b9eca2d95732b57008e2b4e90975b7b28ea43329b6f98b8e0a221085"
                      "25d99f9d889ea113ebe54b082057aeeee7459011d7e571850710e77eb82c6a6c")
        << QByteArray("default-method") << QByteArray("");
    QTest::newRow("scrypt:32768:8:1 non-ASCII")
        << QByteArray("scrypt:32768:8:1$IL5SqgDbbyAztghH$"
                      "20b93ce34bccd44832df85d106fc8c327ef6bb98733e507d0fff293f3c9e63b7"
                      "b6b790bf0f6bd8dfc158a0057fd139fc9c4907788b28fe0c2d6e749248de1423")
        << nonAsciiPassword() << QStringLiteral(u"p\u00e4ssw\u00f6rd").toUtf8();
    QTest::newRow("scrypt:1024:8:2") << QByteArray("scrypt:1024:8:2$oQ44Vtosp0EFGsyD$"
                                                   "094f9c354abf7cc4fe5435563b6a7f8529400de68e8b79c3b8fe3a8512380eb7"
                                                   "0eca0bacc100be1c1ca098b5253ba1aced21e2f1fad2ee76ece21858020a6290")
                                     << QByteArray("r-and-p") << QByteArray("r-and-q");
}

void TestPasswordHash::verifiesWerkzeugVectors()
{
    QFETCH(QByteArray, stored);
    QFETCH(QByteArray, password);
    QFETCH(QByteArray, wrongPassword);

    QVERIFY(PasswordHash::verify(stored, password));
    QVERIFY(!PasswordHash::verify(stored, wrongPassword));
}

void TestPasswordHash::generateReproducesWerkzeugVectors()
{
    QFETCH(QByteArray, stored);
    QFETCH(QByteArray, password);

    const QList<QByteArray> parts = stored.split('$');
    QCOMPARE(parts.size(), 3);
    QCOMPARE(PasswordHash::generate(password, parts[0], parts[1]), stored);
}

// Werkzeug never writes an empty salt, but its checker accepts one (made with _hash_internal("pbkdf2:sha256:1000",
// "", "empty-salt")); a hand-edited row should behave the same here.
void TestPasswordHash::acceptsEmptySaltLikeWerkzeug()
{
    const QByteArray stored = "pbkdf2:sha256:1000$$8667061c9e042422fd6e12f2073a049b44c361b29c49a953b94490c9e9dbc8d9";
    QVERIFY(PasswordHash::verify(stored, "empty-salt"));
    QVERIFY(!PasswordHash::verify(stored, "empty-sal"));
}

void TestPasswordHash::defaultMethodIsWerkzeug23Default()
{
    QCOMPARE(QByteArray(PasswordHash::defaultMethod), QByteArray("pbkdf2:sha256:600000"));
    const QByteArray stored = PasswordHash::generate("password1234");
    const QList<QByteArray> parts = stored.split('$');
    QCOMPARE(parts.size(), 3);
    QCOMPARE(parts[0], QByteArray("pbkdf2:sha256:600000"));
    QCOMPARE(parts[1].size(), 16);
    QCOMPARE(parts[2].size(), 64);
    QVERIFY(PasswordHash::verify(stored, "password1234"));
}

void TestPasswordHash::randomSaltsDifferAndVerify()
{
    const QByteArray method = "pbkdf2:sha256:1";
    QSet<QByteArray> salts;
    QSet<char> characters;
    for (int i = 0; i < 200; ++i) {
        const QByteArray stored = PasswordHash::generate(nonAsciiPassword(), method);
        QVERIFY(PasswordHash::verify(stored, nonAsciiPassword()));
        const QByteArray salt = stored.split('$').value(1);
        QCOMPARE(salt.size(), 16);
        for (const char c : salt) {
            QVERIFY2(isSaltCharacter(c), stored.constData());
            characters.insert(c);
        }
        salts.insert(salt);
    }
    QCOMPARE(salts.size(), 200);
    // 3200 draws miss one of 62 characters with probability below 1e-20, so a gap means a biased or short alphabet.
    QCOMPARE(characters.size(), 62);

    const QByteArray first = PasswordHash::generate("same", "scrypt:1024:8:1");
    const QByteArray second = PasswordHash::generate("same", "scrypt:1024:8:1");
    QVERIFY(first != second);
    QVERIFY(PasswordHash::verify(first, "same"));
    QVERIFY(PasswordHash::verify(second, "same"));
}

void TestPasswordHash::generateRefusesBadInput_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("salt");

    QTest::newRow("empty method") << QByteArray() << QByteArray("saltsaltsaltsalt");
    QTest::newRow("bare pbkdf2") << QByteArray("pbkdf2") << QByteArray("saltsaltsaltsalt");
    QTest::newRow("pbkdf2 without iterations") << QByteArray("pbkdf2:sha256") << QByteArray("saltsaltsaltsalt");
    QTest::newRow("bare scrypt") << QByteArray("scrypt") << QByteArray("saltsaltsaltsalt");
    QTest::newRow("unknown digest") << QByteArray("pbkdf2:md5:1000") << QByteArray("saltsaltsaltsalt");
    QTest::newRow("zero iterations") << QByteArray("pbkdf2:sha256:0") << QByteArray("saltsaltsaltsalt");
    QTest::newRow("too many iterations") << QByteArray("pbkdf2:sha256:10000001") << QByteArray("saltsaltsaltsalt");
    QTest::newRow("scrypt N not a power of two") << QByteArray("scrypt:1000:8:1") << QByteArray("saltsaltsaltsalt");
    QTest::newRow("old plain method") << QByteArray("sha256") << QByteArray("saltsaltsaltsalt");
    QTest::newRow("empty salt") << QByteArray("pbkdf2:sha256:1000") << QByteArray();
    QTest::newRow("dollar in salt") << QByteArray("pbkdf2:sha256:1000") << QByteArray("salt$salt");
}

void TestPasswordHash::generateRefusesBadInput()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, salt);

    QVERIFY(PasswordHash::generate("password", method, salt).isEmpty());
    if (!salt.isEmpty() && !salt.contains('$'))
        QVERIFY(PasswordHash::generate("password", method).isEmpty());
}

void TestPasswordHash::rejectsGarbage_data()
{
    QTest::addColumn<QByteArray>("stored");

    const QByteArray salt = "$F9Agz7pS6j4Ql5ry$";
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("no dollar") << QByteArray("pbkdf2:sha256:1000");
    QTest::newRow("one dollar") << QByteArray("pbkdf2:sha256:1000$F9Agz7pS6j4Ql5ry");
    QTest::newRow("empty digest") << QByteArray("pbkdf2:sha256:1000$F9Agz7pS6j4Ql5ry$");
    QTest::newRow("only dollars") << QByteArray("$$");
    QTest::newRow("only separators") << QByteArray("::$$");
    QTest::newRow("short digest") << cheapVector.chopped(2);
    QTest::newRow("long digest") << cheapVector + "00";
    QTest::newRow("trailing newline") << cheapVector + '\n';
    QTest::newRow("trailing dollar field") << cheapVector + "$x";
    QTest::newRow("upper-case hex") << QByteArray("pbkdf2:sha256:1000" + salt + sha256Hex.toUpper());
    QTest::newRow("bare pbkdf2") << QByteArray("pbkdf2" + salt + sha256Hex);
    QTest::newRow("pbkdf2 without iterations") << QByteArray("pbkdf2:sha256" + salt + sha256Hex);
    QTest::newRow("pbkdf2 extra field") << QByteArray("pbkdf2:sha256:1000:1" + salt + sha256Hex);
    QTest::newRow("unknown digest") << QByteArray("pbkdf2:md5:1000" + salt + sha256Hex);
    QTest::newRow("upper-case digest name") << QByteArray("pbkdf2:SHA256:1000" + salt + sha256Hex);
    QTest::newRow("non-numeric iterations") << QByteArray("pbkdf2:sha256:abc" + salt + sha256Hex);
    QTest::newRow("negative iterations") << QByteArray("pbkdf2:sha256:-1000" + salt + sha256Hex);
    QTest::newRow("plus sign") << QByteArray("pbkdf2:sha256:+1000" + salt + sha256Hex);
    QTest::newRow("space in number") << QByteArray("pbkdf2:sha256: 1000" + salt + sha256Hex);
    QTest::newRow("underscore in number") << QByteArray("pbkdf2:sha256:1_000" + salt + sha256Hex);
    QTest::newRow("zero iterations") << QByteArray("pbkdf2:sha256:0" + salt + sha256Hex);
    QTest::newRow("iterations above cap") << QByteArray("pbkdf2:sha256:10000001" + salt + sha256Hex);
    QTest::newRow("iterations overflow") << QByteArray("pbkdf2:sha256:99999999999999999999999999" + salt + sha256Hex);
    QTest::newRow("bare scrypt") << QByteArray("scrypt" + salt + scryptHex);
    QTest::newRow("scrypt missing p") << QByteArray("scrypt:32768:8" + salt + scryptHex);
    QTest::newRow("scrypt extra field") << QByteArray("scrypt:32768:8:1:1" + salt + scryptHex);
    QTest::newRow("scrypt N not a power of two") << QByteArray("scrypt:1000:8:1" + salt + scryptHex);
    QTest::newRow("scrypt N = 1") << QByteArray("scrypt:1:8:1" + salt + scryptHex);
    QTest::newRow("scrypt N = 0") << QByteArray("scrypt:0:8:1" + salt + scryptHex);
    QTest::newRow("scrypt N = 2^21") << QByteArray("scrypt:2097152:8:1" + salt + scryptHex);
    QTest::newRow("scrypt N = 2^64") << QByteArray("scrypt:18446744073709551616:8:1" + salt + scryptHex);
    QTest::newRow("scrypt r = 0") << QByteArray("scrypt:32768:0:1" + salt + scryptHex);
    QTest::newRow("scrypt p = 0") << QByteArray("scrypt:32768:8:0" + salt + scryptHex);
    QTest::newRow("scrypt huge p") << QByteArray("scrypt:32768:8:100000" + salt + scryptHex);
    QTest::newRow("scrypt huge r*p") << QByteArray("scrypt:2:65536:65536" + salt + scryptHex);
    QTest::newRow("scrypt r overflow") << QByteArray("scrypt:2:4294967297:1" + salt + scryptHex);
    QTest::newRow("scrypt work above cap") << QByteArray("scrypt:131072:8:16" + salt + scryptHex);
    QTest::newRow("scrypt memory above cap") << QByteArray("scrypt:1048576:16:1" + salt + scryptHex);
    QTest::newRow("scrypt pbkdf2-length digest") << QByteArray("scrypt:1024:8:1" + salt + sha256Hex);
    QTest::newRow("old sha256 method") << QByteArray("sha256" + salt + sha256Hex);
    QTest::newRow("old plain method") << QByteArray("plain$$") + nonAsciiPassword();
    QTest::newRow("unknown method") << QByteArray("argon2" + salt + scryptHex);
    static constexpr char withNuls[] = "pbkdf2\0sha256\0001000$\0$\0";
    QTest::newRow("NUL bytes") << QByteArray(withNuls, sizeof(withNuls) - 1);
    QTest::newRow("one megabyte") << QByteArray(1 << 20, '$');
}

void TestPasswordHash::rejectsGarbage()
{
    QFETCH(QByteArray, stored);

    QElapsedTimer timer;
    timer.start();
    QVERIFY(!PasswordHash::verify(stored, nonAsciiPassword()));
    // Every row is refused before derivation or derives with 1000 iterations; seconds would mean a cap is missing.
    QVERIFY2(timer.elapsed() < 250, QByteArray::number(timer.elapsed()).constData());
}

void TestPasswordHash::constantTimeEquals_data()
{
    QTest::addColumn<QByteArray>("a");
    QTest::addColumn<QByteArray>("b");
    QTest::addColumn<bool>("equal");

    QTest::newRow("both empty") << QByteArray() << QByteArray() << true;
    QTest::newRow("null and empty") << QByteArray() << QByteArray("") << true;
    QTest::newRow("empty and non-empty") << QByteArray() << QByteArray("a") << false;
    QTest::newRow("same") << sha256Hex << QByteArray(sha256Hex.constData()) << true;
    QTest::newRow("first byte differs") << QByteArray("abcd") << QByteArray("bbcd") << false;
    QTest::newRow("last byte differs") << QByteArray("abcd") << QByteArray("abce") << false;
    QTest::newRow("prefix") << QByteArray("abc") << QByteArray("abcd") << false;
    QTest::newRow("case differs") << QByteArray("abcd") << QByteArray("ABCD") << false;
    QTest::newRow("NUL bytes equal") << QByteArray("a\0b", 3) << QByteArray("a\0b", 3) << true;
    QTest::newRow("differs after NUL") << QByteArray("a\0b", 3) << QByteArray("a\0c", 3) << false;
}

void TestPasswordHash::constantTimeEquals()
{
    QFETCH(QByteArray, a);
    QFETCH(QByteArray, b);
    QFETCH(bool, equal);

    QCOMPARE(PasswordHash::constantTimeEquals(a, b), equal);
    QCOMPARE(PasswordHash::constantTimeEquals(b, a), equal);
}

QTEST_APPLESS_MAIN(TestPasswordHash)
#include "tst_passwordhash.moc"
