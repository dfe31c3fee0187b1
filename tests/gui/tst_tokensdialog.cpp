#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include "store/TokenStore.h"
#include "ui/TokensDialog.h"

using namespace sluice;

class TokensDialogTest : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    static QString screenshotPath(const char *name)
    {
        return QDir(QStringLiteral(SLUICE_SCREENSHOTS_DIR)).filePath(QLatin1String(name));
    }

private slots:
    void createShowsTheSecretOnceAndRevokeRemoves()
    {
        QVERIFY(m_dir.isValid());
        QDir().mkpath(QStringLiteral(SLUICE_SCREENSHOTS_DIR));
        const QString databasePath = m_dir.filePath(QStringLiteral("sluice.db"));
        {
            TokenStore store;
            QVERIFY(store.open(databasePath).ok());
            StoredToken existing;
            existing.name = QStringLiteral("editor");
            existing.rpm = 60;
            QVERIFY(store.create(existing).ok());
        }

        TokensDialog dialog(databasePath);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QCOMPARE(dialog.model()->rowCount(), 1);

        dialog.findChild<QLineEdit *>(QStringLiteral("tokenName"))->setText(QStringLiteral("ci"));
        dialog.findChild<QLineEdit *>(QStringLiteral("tokenModels"))->setText(QStringLiteral("gpt-4.1-mini, o4-mini"));
        dialog.findChild<QSpinBox *>(QStringLiteral("tokenRpm"))->setValue(30);
        dialog.findChild<QDoubleSpinBox *>(QStringLiteral("tokenDaily"))->setValue(5);
        QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("createToken")), Qt::LeftButton);

        const QString secret = dialog.shownSecret();
        QVERIFY2(secret.startsWith(QLatin1String("sk-sluice-")), qPrintable(secret));
        QCOMPARE(dialog.model()->rowCount(), 2);
        QCOMPARE(dialog.model()->item(0, 0)->text(), QStringLiteral("ci"));
        QCOMPARE(dialog.model()->item(0, 1)->text(), QStringLiteral("gpt-4.1-mini, o4-mini"));
        QCOMPARE(dialog.model()->item(0, 4)->text(), QStringLiteral("daily $5.00"));
        QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("copySecret")), Qt::LeftButton);
        QCOMPARE(QApplication::clipboard()->text(), secret);
        QVERIFY(dialog.grab().save(screenshotPath("tokens-dialog.png")));

        TokenStore store;
        QVERIFY(store.open(databasePath).ok());
        const QList<StoredToken> stored = store.list().value();
        QCOMPARE(stored.size(), 2);
        QCOMPARE(stored.first().secretSha256, TokenStore::digest(secret.toLatin1()));

        // A taken name is refused with a message; the secret of the earlier token is gone from the dialog.
        dialog.findChild<QLineEdit *>(QStringLiteral("tokenName"))->setText(QStringLiteral("ci"));
        QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("createToken")), Qt::LeftButton);
        QVERIFY(dialog.shownSecret().isEmpty());
        QVERIFY(dialog.findChild<QLabel *>(QStringLiteral("tokensMessage"))
                    ->text()
                    .contains(QLatin1String("already exists")));

        auto *table = dialog.findChild<QTableView *>(QStringLiteral("tokensTable"));
        table->selectRow(0);
        QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("revokeToken")), Qt::LeftButton);
        QCOMPARE(dialog.model()->rowCount(), 1);
        QCOMPARE(dialog.model()->item(0, 0)->text(), QStringLiteral("editor"));
        QCOMPARE(store.list().value().size(), 1);
    }
};

QTEST_MAIN(TokensDialogTest)
#include "tst_tokensdialog.moc"
