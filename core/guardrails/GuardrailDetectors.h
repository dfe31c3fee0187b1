#pragma once

#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

namespace sluice {

// One built-in detector: an RE2 pattern whose one capturing group is the value to mask, a placeholder kind
// ("SECRET_AWS" gives [SECRET_AWS_1]) and an optional check of the value (Luhn, IBAN checksum, entropy) that
// keeps ordinary code and prose from matching.
struct GuardrailDetector
{
    QString name; // e.g. "aws_access_key"
    QString category; // "secrets" or "pii"
    QString kind; // placeholder stem
    QString description; // for the Guardrails page
    std::string pattern;
    bool (*accepts)(QByteArrayView value) = nullptr;
};

namespace GuardrailDetectors {
// Every built-in detector, secrets first; within a category the specific before the general.
const QList<GuardrailDetector> &all();
// The detectors a rule's `detect:` names: a category ("secrets", "pii"), "email", "credit_card" or one detector's
// name; empty for "regex", "words" and unknown names.
QList<const GuardrailDetector *> forDetect(const QString &detect);
// What `detect:` accepts: the categories, "regex", "words" and every detector's name.
QStringList detectNames();

// The checks, public for the tests.
bool luhnValid(QByteArrayView digits);
bool ibanValid(QByteArrayView iban);
double shannonEntropy(QByteArrayView value);
} // namespace GuardrailDetectors

} // namespace sluice
