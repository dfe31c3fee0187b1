#include "TokensDialog.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>

#include "cost/ModelPrice.h"

namespace sluice {

namespace {

QDoubleSpinBox *budgetBox(QWidget *parent, const QString &name)
{
    auto *box = new QDoubleSpinBox(parent);
    box->setObjectName(name);
    box->setRange(0, 1'000'000);
    box->setDecimals(2);
    box->setPrefix(QStringLiteral("$"));
    box->setSpecialValueText(QObject::tr("none"));
    return box;
}

QSpinBox *limitBox(QWidget *parent, const QString &name, int maximum)
{
    auto *box = new QSpinBox(parent);
    box->setObjectName(name);
    box->setRange(0, maximum);
    box->setSpecialValueText(QObject::tr("no limit"));
    return box;
}

QString budgetsText(const StoredToken &token)
{
    QStringList parts;
    if (token.dailyUsd > 0)
        parts.append(QObject::tr("daily %1").arg(formatUsd(token.dailyUsd)));
    if (token.weeklyUsd > 0)
        parts.append(QObject::tr("weekly %1").arg(formatUsd(token.weeklyUsd)));
    if (token.monthlyUsd > 0)
        parts.append(QObject::tr("monthly %1").arg(formatUsd(token.monthlyUsd)));
    return parts.join(QStringLiteral(", "));
}

} // namespace

TokensDialog::TokensDialog(const QString &databasePath, QWidget *parent)
    : QDialog(parent)
    , m_model(new QStandardItemModel(0, 6, this))
{
    setWindowTitle(tr("Gateway tokens"));
    m_model->setHorizontalHeaderLabels(
        {tr("Name"), tr("Models"), tr("Requests/min"), tr("Tokens/min"), tr("Budgets (UTC)"), tr("Created")});

    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Tools authenticate with a gateway token as their API key. Sluice keeps only a hash "
                                "of each secret: it is shown once, when the token is created."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("tokensMessage"));
    m_message->setWordWrap(true);
    m_message->hide();
    layout->addWidget(m_message);

    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("tokensTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(m_table, 1);

    auto *form = new QGroupBox(tr("New token"), this);
    auto *fields = new QFormLayout(form);
    m_name = new QLineEdit(form);
    m_name->setObjectName(QStringLiteral("tokenName"));
    m_name->setPlaceholderText(tr("e.g. editor, ci"));
    m_models = new QLineEdit(form);
    m_models->setObjectName(QStringLiteral("tokenModels"));
    m_models->setPlaceholderText(tr("every model; or names separated by commas"));
    m_rpm = limitBox(form, QStringLiteral("tokenRpm"), 1'000'000);
    m_tpm = limitBox(form, QStringLiteral("tokenTpm"), 2'000'000'000);
    m_daily = budgetBox(form, QStringLiteral("tokenDaily"));
    m_weekly = budgetBox(form, QStringLiteral("tokenWeekly"));
    m_monthly = budgetBox(form, QStringLiteral("tokenMonthly"));
    auto *limits = new QHBoxLayout;
    limits->addWidget(m_rpm);
    limits->addWidget(new QLabel(tr("requests per minute"), form));
    limits->addWidget(m_tpm);
    limits->addWidget(new QLabel(tr("tokens per minute"), form));
    auto *budgets = new QHBoxLayout;
    budgets->addWidget(new QLabel(tr("Daily"), form));
    budgets->addWidget(m_daily);
    budgets->addWidget(new QLabel(tr("Weekly"), form));
    budgets->addWidget(m_weekly);
    budgets->addWidget(new QLabel(tr("Monthly"), form));
    budgets->addWidget(m_monthly);
    auto *create = new QPushButton(tr("Create token"), form);
    create->setObjectName(QStringLiteral("createToken"));
    connect(create, &QPushButton::clicked, this, &TokensDialog::createToken);
    connect(m_name, &QLineEdit::returnPressed, this, &TokensDialog::createToken);
    fields->addRow(tr("Name"), m_name);
    fields->addRow(tr("Models"), m_models);
    fields->addRow(tr("Rate limits"), limits);
    fields->addRow(tr("Budgets"), budgets);
    fields->addRow(QString(), create);
    layout->addWidget(form);

    m_secretRow = new QWidget(this);
    auto *secretLayout = new QHBoxLayout(m_secretRow);
    secretLayout->setContentsMargins(0, 0, 0, 0);
    m_secret = new QLineEdit(m_secretRow);
    m_secret->setObjectName(QStringLiteral("tokenSecret"));
    m_secret->setReadOnly(true);
    auto *copy = new QPushButton(tr("Copy"), m_secretRow);
    copy->setObjectName(QStringLiteral("copySecret"));
    connect(copy, &QPushButton::clicked, this, &TokensDialog::copySecret);
    secretLayout->addWidget(new QLabel(tr("Secret (shown only now):"), m_secretRow));
    secretLayout->addWidget(m_secret, 1);
    secretLayout->addWidget(copy);
    m_secretRow->hide();
    layout->addWidget(m_secretRow);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_revoke = buttons->addButton(tr("Revoke selected"), QDialogButtonBox::ActionRole);
    m_revoke->setObjectName(QStringLiteral("revokeToken"));
    connect(m_revoke, &QPushButton::clicked, this, &TokensDialog::revokeSelected);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(820, 560);

    if (Result<void> opened = m_store.open(databasePath); !opened) {
        showMessage(opened.errorMessage(), true);
        form->setEnabled(false);
        m_revoke->setEnabled(false);
        return;
    }
    reload();
}

TokensDialog::~TokensDialog()
{
    hideSecret();
}

QString TokensDialog::shownSecret() const
{
    return m_secretRow->isHidden() ? QString() : m_secret->text();
}

void TokensDialog::showMessage(const QString &message, bool error)
{
    m_message->setText(message);
    m_message->setStyleSheet(error ? QStringLiteral("color: palette(bright-text); background: #b3261e; padding: 6px;")
                                   : QString());
    m_message->setVisible(!message.isEmpty());
}

void TokensDialog::hideSecret()
{
    m_secret->clear();
    m_secretRow->hide();
}

void TokensDialog::reload()
{
    m_model->removeRows(0, m_model->rowCount());
    const Result<QList<StoredToken>> tokens = m_store.list();
    if (!tokens) {
        showMessage(tokens.errorMessage(), true);
        return;
    }
    for (const StoredToken &token : *tokens) {
        QList<QStandardItem *> row;
        row.append(new QStandardItem(token.name));
        row.append(new QStandardItem(token.models.isEmpty() ? tr("all") : token.models.join(QStringLiteral(", "))));
        row.append(new QStandardItem(token.rpm > 0 ? QString::number(token.rpm) : tr("no limit")));
        row.append(new QStandardItem(token.tpm > 0 ? QString::number(token.tpm) : tr("no limit")));
        const QString budgets = budgetsText(token);
        row.append(new QStandardItem(budgets.isEmpty() ? tr("none") : budgets));
        row.append(new QStandardItem(token.createdAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"))));
        m_model->appendRow(row);
    }
    m_table->resizeColumnsToContents();
}

void TokensDialog::createToken()
{
    hideSecret();
    StoredToken token;
    token.name = m_name->text().trimmed();
    for (const QString &model : m_models->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        token.models.append(model.trimmed());
    token.rpm = m_rpm->value();
    token.tpm = m_tpm->value();
    token.dailyUsd = m_daily->value() > 0 ? m_daily->value() : -1;
    token.weeklyUsd = m_weekly->value() > 0 ? m_weekly->value() : -1;
    token.monthlyUsd = m_monthly->value() > 0 ? m_monthly->value() : -1;
    const Result<QString> secret = m_store.create(token);
    if (!secret) {
        showMessage(secret.errorMessage(), true);
        return;
    }
    showMessage(tr("Created '%1'. Copy its secret now: Sluice cannot show it again.").arg(token.name), false);
    m_secret->setText(secret.value());
    m_secretRow->show();
    m_name->clear();
    m_models->clear();
    for (QSpinBox *box : {m_rpm, m_tpm})
        box->setValue(0);
    for (QDoubleSpinBox *box : {m_daily, m_weekly, m_monthly})
        box->setValue(0);
    reload();
}

void TokensDialog::copySecret()
{
    if (!m_secret->text().isEmpty())
        QApplication::clipboard()->setText(m_secret->text());
}

void TokensDialog::revokeSelected()
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        showMessage(tr("Select the token to revoke."), true);
        return;
    }
    const QString name = m_model->item(rows.first().row(), 0)->text();
    hideSecret();
    if (Result<void> revoked = m_store.revoke(name); !revoked) {
        showMessage(revoked.errorMessage(), true);
        return;
    }
    showMessage(tr("Revoked '%1': the gateway refuses it from now on.").arg(name), false);
    reload();
}

} // namespace sluice
