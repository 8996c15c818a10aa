//! KH Coder-style coding rules: boolean expressions over keywords, evaluated on a passage.
//!
//! Grammar (operators also accept the words `AND`, `OR`, `NOT`, any case):
//! ```text
//! expr    := and ( '|' and )*
//! and     := unary ( '&' unary )*
//! unary   := '!' unary | atom
//! atom    := '(' expr ')' | NEAR '(' term ',' term [',' chars] ')' | SECTION '(' expr ')' | term
//! term    := bare word without spaces or operators, or "quoted text"
//! ```
//! `NEAR(a, b, 30)` holds when `a` and `b` occur within 30 characters of each other in the
//! passage (default 30). `SECTION(expr)` evaluates `expr` on the whole section the passage
//! belongs to (all passages under the same heading). Everything else is evaluated on the
//! passage. Terms are matched like keywords: on folded text, with ASCII word boundaries.
//! Example: `(公共施設 & (老朽化 | 統廃合)) | 総合管理計画`.

use thiserror::Error;

use super::fold::FoldedText;

const DEFAULT_NEAR_WINDOW: usize = 30;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message} at character {position} of `{rule}`")]
pub struct RuleError {
    pub rule: String,
    pub position: usize,
    pub message: String,
}

/// A parsed rule. Terms are stored as written; [`Rule::map_terms`] folds them for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    Term(String),
    And(Vec<Rule>),
    Or(Vec<Rule>),
    Not(Box<Rule>),
    Near { left: String, right: String, window: usize },
    Section(Box<Rule>),
}

/// The texts a rule is evaluated on.
#[derive(Debug, Clone, Copy)]
pub struct RuleScope<'a> {
    pub passage: &'a FoldedText,
    pub section: &'a FoldedText,
}

impl Rule {
    pub fn parse(source: &str) -> Result<Rule, RuleError> {
        let tokens = lex(source)?;
        let mut parser = Parser { source, tokens, next: 0 };
        let rule = parser.expr()?;
        match parser.peek() {
            None => Ok(rule),
            Some((token, position)) => {
                Err(parser.error(*position, format!("unexpected {}", token.describe())))
            }
        }
    }

    /// The same rule with every term passed through `fold`.
    pub fn map_terms(&self, fold: &impl Fn(&str) -> String) -> Rule {
        match self {
            Rule::Term(term) => Rule::Term(fold(term)),
            Rule::And(parts) => Rule::And(parts.iter().map(|p| p.map_terms(fold)).collect()),
            Rule::Or(parts) => Rule::Or(parts.iter().map(|p| p.map_terms(fold)).collect()),
            Rule::Not(inner) => Rule::Not(Box::new(inner.map_terms(fold))),
            Rule::Near { left, right, window } => {
                Rule::Near { left: fold(left), right: fold(right), window: *window }
            }
            Rule::Section(inner) => Rule::Section(Box::new(inner.map_terms(fold))),
        }
    }

    /// The terms whose presence can make the rule hold (terms under `!` excluded).
    pub fn positive_terms(&self) -> Vec<&str> {
        match self {
            Rule::Term(term) => vec![term.as_str()],
            Rule::And(parts) | Rule::Or(parts) => {
                parts.iter().flat_map(Rule::positive_terms).collect()
            }
            Rule::Not(_) => Vec::new(),
            Rule::Near { left, right, .. } => vec![left.as_str(), right.as_str()],
            Rule::Section(inner) => inner.positive_terms(),
        }
    }

    /// Whether the rule holds; on success, the char offsets in the passage of the positive
    /// terms that made it hold (empty when only section-level or negated parts matched).
    pub fn evaluate(&self, scope: RuleScope<'_>) -> Option<Vec<usize>> {
        match self {
            Rule::Term(term) => {
                let hits = scope.passage.find_all(&chars(term));
                (!hits.is_empty()).then_some(hits)
            }
            Rule::And(parts) => {
                let mut all = Vec::new();
                for part in parts {
                    all.extend(part.evaluate(scope)?);
                }
                Some(all)
            }
            Rule::Or(parts) => {
                let mut any = None;
                for part in parts {
                    if let Some(hits) = part.evaluate(scope) {
                        any.get_or_insert_with(Vec::new).extend(hits);
                    }
                }
                any
            }
            Rule::Not(inner) => match inner.evaluate(scope) {
                Some(_) => None,
                None => Some(Vec::new()),
            },
            Rule::Near { left, right, window } => near(scope.passage, left, right, *window),
            Rule::Section(inner) => {
                let section = RuleScope { passage: scope.section, section: scope.section };
                inner.evaluate(section).map(|_| Vec::new())
            }
        }
    }
}

fn chars(term: &str) -> Vec<char> {
    term.chars().collect()
}

fn near(text: &FoldedText, left: &str, right: &str, window: usize) -> Option<Vec<usize>> {
    let (left, right) = (chars(left), chars(right));
    let lefts = text.find_all(&left);
    let rights = text.find_all(&right);
    let mut hits = Vec::new();
    for &l in &lefts {
        for &r in &rights {
            let gap = if l <= r {
                r.saturating_sub(l + left.len())
            } else {
                l.saturating_sub(r + right.len())
            };
            if gap <= window {
                hits.push(l.min(r));
            }
        }
    }
    (!hits.is_empty()).then_some(hits)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Open,
    Close,
    Comma,
    And,
    Or,
    Not,
    Near,
    Section,
    Word(String),
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Open => "`(`".into(),
            Token::Close => "`)`".into(),
            Token::Comma => "`,`".into(),
            Token::And => "`&`".into(),
            Token::Or => "`|`".into(),
            Token::Not => "`!`".into(),
            Token::Near => "`NEAR`".into(),
            Token::Section => "`SECTION`".into(),
            Token::Word(word) => format!("term `{word}`"),
        }
    }
}

fn lex(source: &str) -> Result<Vec<(Token, usize)>, RuleError> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let single = match c {
            '(' | '（' => Some(Token::Open),
            ')' | '）' => Some(Token::Close),
            ',' | '、' => Some(Token::Comma),
            '&' | '＆' => Some(Token::And),
            '|' | '｜' => Some(Token::Or),
            '!' | '！' => Some(Token::Not),
            _ => None,
        };
        if let Some(token) = single {
            tokens.push((token, i));
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '"' {
            let end = chars[i + 1..].iter().position(|&q| q == '"').ok_or_else(|| RuleError {
                rule: source.to_owned(),
                position: i,
                message: "unclosed quote".into(),
            })?;
            tokens.push((Token::Word(chars[i + 1..i + 1 + end].iter().collect()), i));
            i += end + 2;
        } else {
            let start = i;
            while i < chars.len() && !is_delimiter(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            tokens.push((keyword_or_word(word), start));
        }
    }
    Ok(tokens)
}

fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || "()（）,、&＆|｜!！\"".contains(c)
}

fn keyword_or_word(word: String) -> Token {
    match word.to_ascii_uppercase().as_str() {
        "AND" => Token::And,
        "OR" => Token::Or,
        "NOT" => Token::Not,
        "NEAR" => Token::Near,
        "SECTION" => Token::Section,
        _ => Token::Word(word),
    }
}

struct Parser<'a> {
    source: &'a str,
    tokens: Vec<(Token, usize)>,
    next: usize,
}

impl Parser<'_> {
    fn error(&self, position: usize, message: String) -> RuleError {
        RuleError { rule: self.source.to_owned(), position, message }
    }

    fn peek(&self) -> Option<&(Token, usize)> {
        self.tokens.get(self.next)
    }

    fn end_position(&self) -> usize {
        self.source.chars().count()
    }

    fn eat(&mut self, expected: &Token) -> bool {
        if self.peek().is_some_and(|(token, _)| token == expected) {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, expected: &Token) -> Result<(), RuleError> {
        if self.eat(expected) {
            return Ok(());
        }
        let (found, position) = match self.peek() {
            Some((token, position)) => (token.describe(), *position),
            None => ("end of rule".to_owned(), self.end_position()),
        };
        Err(self.error(position, format!("expected {}, found {found}", expected.describe())))
    }

    fn expr(&mut self) -> Result<Rule, RuleError> {
        let mut parts = vec![self.and()?];
        while self.eat(&Token::Or) {
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { Rule::Or(parts) })
    }

    fn and(&mut self) -> Result<Rule, RuleError> {
        let mut parts = vec![self.unary()?];
        while self.eat(&Token::And) {
            parts.push(self.unary()?);
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { Rule::And(parts) })
    }

    fn unary(&mut self) -> Result<Rule, RuleError> {
        if self.eat(&Token::Not) {
            return Ok(Rule::Not(Box::new(self.unary()?)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Rule, RuleError> {
        let Some((token, position)) = self.peek().cloned() else {
            return Err(
                self.error(self.end_position(), "expected a term, found end of rule".into())
            );
        };
        self.next += 1;
        match token {
            Token::Open => {
                let inner = self.expr()?;
                self.expect(&Token::Close)?;
                Ok(inner)
            }
            Token::Near => self.near(),
            Token::Section => {
                self.expect(&Token::Open)?;
                let inner = self.expr()?;
                self.expect(&Token::Close)?;
                Ok(Rule::Section(Box::new(inner)))
            }
            Token::Word(word) => Ok(Rule::Term(word)),
            other => {
                Err(self.error(position, format!("expected a term, found {}", other.describe())))
            }
        }
    }

    fn near(&mut self) -> Result<Rule, RuleError> {
        self.expect(&Token::Open)?;
        let left = self.word()?;
        self.expect(&Token::Comma)?;
        let right = self.word()?;
        let mut window = DEFAULT_NEAR_WINDOW;
        if self.eat(&Token::Comma) {
            let (text, position) = self.word_with_position()?;
            window = text.parse().map_err(|_| {
                self.error(position, format!("NEAR window `{text}` is not a number"))
            })?;
        }
        self.expect(&Token::Close)?;
        Ok(Rule::Near { left, right, window })
    }

    fn word(&mut self) -> Result<String, RuleError> {
        self.word_with_position().map(|(word, _)| word)
    }

    fn word_with_position(&mut self) -> Result<(String, usize), RuleError> {
        match self.peek().cloned() {
            Some((Token::Word(word), position)) => {
                self.next += 1;
                Ok((word, position))
            }
            Some((token, position)) => {
                Err(self.error(position, format!("expected a term, found {}", token.describe())))
            }
            None => {
                Err(self.error(self.end_position(), "expected a term, found end of rule".into()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::themes::fold::basic_fold;

    fn holds(rule: &str, passage: &str, section: &str) -> bool {
        let rule = Rule::parse(rule).unwrap().map_terms(&basic_fold);
        let passage = FoldedText::new(basic_fold(passage));
        let section = FoldedText::new(basic_fold(section));
        rule.evaluate(RuleScope { passage: &passage, section: &section }).is_some()
    }

    fn check(rule: &str, cases: &[(&str, bool)]) {
        for (passage, expected) in cases {
            assert_eq!(holds(rule, passage, passage), *expected, "`{rule}` on `{passage}`");
        }
    }

    #[test]
    fn parses_precedence_and_words() {
        let rule = Rule::parse("(公共施設 & (老朽化 | 統廃合)) | 総合管理計画").unwrap();
        let term = |s: &str| Rule::Term(s.to_owned());
        assert_eq!(
            rule,
            Rule::Or(vec![
                Rule::And(vec![term("公共施設"), Rule::Or(vec![term("老朽化"), term("統廃合")])]),
                term("総合管理計画"),
            ])
        );
        assert_eq!(Rule::parse("a AND b or NOT c").unwrap(), Rule::parse("a & b | !c").unwrap());
    }

    #[test]
    fn evaluates_and_or() {
        check(
            "(公共施設 & (老朽化 | 統廃合)) | 総合管理計画",
            &[
                ("公共施設の老朽化に対応します", true),
                ("公共施設の統廃合を進めます", true),
                ("公共施設等総合管理計画を改訂します", true),
                ("公共施設の利用者が増えた", false),
                ("道路の老朽化", false),
            ],
        );
    }

    #[test]
    fn positive_terms_skip_negations() {
        let rule = Rule::parse("(入札制度 & !電子入札) | NEAR(入札, 公正, 20)").unwrap();
        assert_eq!(rule.positive_terms(), ["入札制度", "入札", "公正"]);
    }

    #[test]
    fn evaluates_not() {
        check(
            "協働 & !庁内協働",
            &[("市民との協働を進める", true), ("組織横断的な庁内協働体制を構築", false)],
        );
    }

    #[test]
    fn evaluates_near_within_window() {
        check(
            "NEAR(職員, 削減, 5)",
            &[("職員数の削減", true), ("職員の研修を充実し、将来は経費も削減", false)],
        );
        check("NEAR(削減, 職員, 5)", &[("職員数の削減", true)]);
    }

    #[test]
    fn section_scope_sees_the_whole_section() {
        assert!(holds(
            "テレワーク & SECTION(働き方改革)",
            "テレワークを導入",
            "働き方改革 テレワークを導入"
        ));
        assert!(!holds("テレワーク & SECTION(働き方改革)", "テレワークを導入", "テレワークを導入"));
    }

    #[test]
    fn short_latin_terms_need_word_boundaries() {
        check("IT | AI", &[("ITを活用", true), ("CITYの計画", false), ("AI-OCR", true)]);
    }

    #[test]
    fn errors_name_the_position() {
        let err = Rule::parse("(公共施設 & 老朽化").unwrap_err();
        assert!(err.to_string().contains("expected `)`"), "{err}");
        let err = Rule::parse("公共施設 老朽化").unwrap_err();
        assert!(err.to_string().contains("unexpected term `老朽化` at character 5"), "{err}");
        assert!(Rule::parse("NEAR(a, b, x)").unwrap_err().to_string().contains("not a number"));
        assert!(Rule::parse("a &").is_err());
        assert!(Rule::parse("\"a").is_err());
    }

    proptest::proptest! {
        #[test]
        fn parsing_and_evaluating_wild_rules_never_panics(source in "\\PC{0,40}", text in "\\PC{0,60}") {
            if let Ok(rule) = Rule::parse(&source) {
                let rule = rule.map_terms(&basic_fold);
                let text = FoldedText::new(basic_fold(&text));
                let _ = rule.evaluate(RuleScope { passage: &text, section: &text });
            }
        }

        #[test]
        fn operator_soup_parses_or_errors_with_a_position(ops in "[()&|! a老朽化,NEAR]{0,30}") {
            match Rule::parse(&ops) {
                Ok(_) => {}
                Err(err) => proptest::prop_assert!(err.position <= ops.chars().count()),
            }
        }
    }
}
