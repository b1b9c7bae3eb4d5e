//! The Public Suffix List as a compact string, matched by a small function (R-FQDN-1).
//!
//! The portal runs this in the browser and the server runs it for the API and ACME orders, so
//! both give the same answer by construction. It replaced the `psl` crate, which compiles the
//! list into a match tree of several hundred kilobytes of WebAssembly; `psl` is still the
//! reference: `public_suffix.txt` is generated from the rules of the `psl` version in Cargo.lock,
//! and the tests below compare the two over every rule of that list (see
//! docs/decisions.md, "Portal weight").
//!
//! `public_suffix.txt` is the list's rules as a trie, written from the top-level label down:
//! `label` is a node whose name is itself a rule, `label?` one that only leads to longer rules,
//! `(…)` holds a node's children, and siblings are separated by `,` in byte order. Children
//! named `*` (wildcard) and `!label` (exception) follow the list's format; they sort before
//! every other label. Internationalised rules are in their ASCII (A-label) form, the only form
//! [`normalize`](super::normalize) passes in.

use std::cmp::Ordering;
use std::sync::OnceLock;

/// The rules, one trie (see the module's documentation).
const TRIE: &str = include_str!("public_suffix.txt");

/// The public suffix of a name: its last `labels` labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suffix<'a> {
    /// The suffix itself (a tail of the name, without a leading dot).
    pub name: &'a str,
    /// Whether a rule of the list matched; otherwise the list's default rule `*` applied and
    /// the suffix is the name's last label, which the list does not know.
    pub known: bool,
}

/// The public suffix of `name`, a lower-case ASCII (A-label) name without a trailing dot, as the
/// Public Suffix List's algorithm finds it: the matching rule with the most labels prevails,
/// an exception rule beats every other, and with no match the suffix is the last label.
/// `None` only for an empty name.
pub fn suffix(name: &str) -> Option<Suffix<'_>> {
    if name.is_empty() {
        return None;
    }
    let mut level = root();
    // The number of labels of the prevailing rule so far.
    let mut matched: Option<usize> = None;
    for (depth, label) in (1..).zip(name.rsplit('.')) {
        if level.exception(label) {
            // `!a.b.c` says the suffix of `a.b.c` (and of names below it) is `b.c`.
            matched = Some(depth - 1);
            break;
        }
        if level.get("*").is_some() {
            matched = Some(depth);
        }
        let Some(node) = level.get(label) else { break };
        if node.rule {
            matched = Some(depth);
        }
        level = &node.children;
    }
    let (labels, known) = match matched {
        Some(n) => (n, true),
        None => (1, false),
    };
    Some(Suffix {
        name: tail(name, labels),
        known,
    })
}

/// The last `labels` labels of `name`.
fn tail(name: &str, labels: usize) -> &str {
    let mut start = name.len();
    for _ in 0..labels {
        match name[..start].rfind('.') {
            Some(dot) => start = dot,
            None => return name,
        }
    }
    &name[start + 1..]
}

/// The trie, parsed once: lookups then cost a binary search per label.
fn root() -> &'static Level {
    static ROOT: OnceLock<Level> = OnceLock::new();
    ROOT.get_or_init(|| Level::parse(TRIE.trim_end()))
}

/// The children of one node, in byte order of their keys.
#[derive(Default)]
struct Level(Vec<Node>);

struct Node {
    key: &'static str,
    /// The key is itself a rule (not only the parent of longer ones).
    rule: bool,
    children: Level,
}

impl Level {
    fn parse(text: &'static str) -> Level {
        Level(
            Nodes(text)
                .map(|(key, rule, children)| Node {
                    key,
                    rule,
                    children: children.map(Level::parse).unwrap_or_default(),
                })
                .collect(),
        )
    }

    fn get(&self, key: &str) -> Option<&Node> {
        let at = self.0.binary_search_by(|n| n.key.cmp(key)).ok()?;
        Some(&self.0[at])
    }

    /// Whether `!label` is a child. `!` sorts before every other key's first byte.
    fn exception(&self, label: &str) -> bool {
        self.0
            .binary_search_by(|n| match n.key.strip_prefix('!') {
                Some(rest) => rest.cmp(label),
                None => Ordering::Greater,
            })
            .is_ok()
    }
}

/// The sibling nodes of one level of the trie's text, in order: key, whether the key is a rule,
/// and the text of the children.
struct Nodes(&'static str);

impl Iterator for Nodes {
    type Item = (&'static str, bool, Option<&'static str>);

    fn next(&mut self) -> Option<Self::Item> {
        let text = self.0;
        if text.is_empty() {
            return None;
        }
        let bytes = text.as_bytes();
        let key_end = bytes
            .iter()
            .position(|b| matches!(b, b',' | b'(' | b'?'))
            .unwrap_or(bytes.len());
        let key = &text[..key_end];
        let mut at = key_end;
        let rule = bytes.get(at) != Some(&b'?');
        if !rule {
            at += 1;
        }
        let mut children = None;
        if bytes.get(at) == Some(&b'(') {
            let mut depth = 0usize;
            let mut end = bytes.len();
            for (i, &b) in bytes.iter().enumerate().skip(at) {
                match b {
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            children = Some(&text[at + 1..end]);
            at = (end + 1).min(bytes.len());
        }
        if bytes.get(at) == Some(&b',') {
            at += 1;
        }
        self.0 = &text[at..];
        Some((key, rule, children))
    }
}

#[cfg(test)]
mod tests {
    //! The compact list against the `psl` crate, the reference it replaced.

    use std::collections::{BTreeMap, BTreeSet};
    use std::path::PathBuf;
    use std::process::Command;

    use super::*;

    /// The rules of the `psl` version in Cargo.lock (its `data/rules.txt`, the list its match
    /// tree is compiled from), found through `cargo metadata`.
    fn psl_rules() -> Vec<String> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let out = Command::new(cargo)
            .args(["metadata", "--format-version", "1", "--manifest-path"])
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
            .output()
            .expect("running cargo metadata");
        assert!(
            out.status.success(),
            "cargo metadata: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let manifest = meta["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "psl")
            .expect("psl in cargo metadata")["manifest_path"]
            .as_str()
            .unwrap()
            .to_owned();
        let rules = PathBuf::from(manifest)
            .with_file_name("data")
            .join("rules.txt");
        std::fs::read_to_string(&rules)
            .unwrap_or_else(|e| panic!("{}: {e}", rules.display()))
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("//"))
            .map(str::to_owned)
            .collect()
    }

    /// A rule in the A-label form `normalize` produces (`*` and a leading `!` kept).
    fn ascii_rule(rule: &str) -> String {
        let (bang, rest) = match rule.strip_prefix('!') {
            Some(rest) => ("!", rest),
            None => ("", rule),
        };
        let labels: Vec<String> = rest
            .split('.')
            .map(|label| {
                if label == "*" || label.is_ascii() {
                    label.to_ascii_lowercase()
                } else {
                    idna::domain_to_ascii(label).unwrap_or_else(|e| panic!("{rule}: {e:?}"))
                }
            })
            .collect();
        format!("{bang}{}", labels.join("."))
    }

    #[derive(Default)]
    struct Trie {
        rule: bool,
        children: BTreeMap<String, Trie>,
    }

    fn write_trie(node: &Trie, out: &mut String) {
        for (i, (key, child)) in node.children.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(key);
            if !child.rule {
                out.push('?');
            }
            if !child.children.is_empty() {
                out.push('(');
                write_trie(child, out);
                out.push(')');
            }
        }
    }

    /// The text of `public_suffix.txt` for the given rules.
    fn compact(rules: &[String]) -> String {
        let mut root = Trie::default();
        for rule in rules {
            let mut node = &mut root;
            for label in ascii_rule(rule).rsplit('.') {
                assert!(
                    !label.contains([',', '(', ')', '?']),
                    "{rule}: a label with a character the trie uses"
                );
                node = node.children.entry(label.to_owned()).or_default();
            }
            node.rule = true;
        }
        let mut out = String::new();
        write_trie(&root, &mut out);
        out.push('\n');
        out
    }

    /// `public_suffix.txt` is exactly what the current `psl` rules give. To regenerate it after
    /// a `psl` update: `CERTDIRECT_WRITE_PSL=1 cargo test -p shared public_suffix`.
    #[test]
    fn the_compact_list_is_generated_from_the_psl_rules() {
        let want = compact(&psl_rules());
        if std::env::var_os("CERTDIRECT_WRITE_PSL").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/fqdn/public_suffix.txt");
            std::fs::write(path, &want).unwrap();
        }
        assert!(
            TRIE == want,
            "src/fqdn/public_suffix.txt is not the trie of the psl crate's rules; regenerate it \
             with CERTDIRECT_WRITE_PSL=1 cargo test -p shared public_suffix"
        );
    }

    /// What `psl` says, in this module's terms.
    fn reference(name: &str) -> Option<Suffix<'_>> {
        psl::suffix(name.as_bytes()).map(|s| Suffix {
            name: std::str::from_utf8(s.as_bytes()).unwrap(),
            known: s.is_known(),
        })
    }

    /// Every rule of the list, as the name itself, below one and two more labels, and with its
    /// wildcard filled in; the names an exception rule names; and names under no rule.
    #[test]
    fn agrees_with_psl_over_every_rule() {
        let rules = psl_rules();
        let mut names = BTreeSet::new();
        for rule in &rules {
            let ascii = ascii_rule(rule);
            let base = ascii.trim_start_matches('!').to_owned();
            let filled = base.replace('*', "wild");
            for name in [
                filled.clone(),
                format!("example.{filled}"),
                format!("www.example.{filled}"),
                format!("x-1.{filled}"),
            ] {
                names.insert(name);
            }
            if let Some(parent) = base.strip_prefix("*.") {
                names.insert(parent.to_owned());
                names.insert(format!("a.b.{parent}"));
            }
            // A name one label shorter and a sibling that no rule names.
            if let Some((_, parent)) = base.split_once('.') {
                names.insert(parent.to_owned());
                names.insert(format!("zz-not-a-rule.{parent}"));
                names.insert(format!("www.zz-not-a-rule.{parent}"));
            }
        }
        for name in [
            "localhost",
            "example",
            "example.zz-unknown",
            "www.example.zz-unknown",
            "xn--r8jz45g.jp",
            "example.com",
            "ck",
            "www.ck",
            "a.www.ck",
            "other.ck",
            "a.other.ck",
            "kawasaki.jp",
            "city.kawasaki.jp",
            "www.city.kawasaki.jp",
            "other.kawasaki.jp",
            "www.other.kawasaki.jp",
            "a.ex.futurecms.at",
            "b.a.ex.futurecms.at",
            "1.2.3.4",
            "a..com",
            "",
        ] {
            names.insert(name.to_owned());
        }
        assert!(names.len() > 4 * rules.len(), "{} names", names.len());
        let ascii: BTreeSet<String> = rules.iter().map(|r| ascii_rule(r)).collect();
        let mut psl_bugs = Vec::new();
        for name in &names {
            let (ours, theirs) = (suffix(name), reference(name));
            if ours == theirs {
                continue;
            }
            // The one known difference: a name that a wildcard rule makes a public suffix in
            // full and that is also the parent of a longer rule (`ex.futurecms.at` under
            // `*.futurecms.at` and `*.ex.futurecms.at`). The list's algorithm says the suffix is
            // the whole name; `psl` returns a shorter tail (`at`; `int.apple`, not even a rule).
            let parent = name.split_once('.').map_or("", |(_, p)| p);
            let whole = ours == Some(Suffix { name, known: true });
            let wildcard = ascii.contains(&format!("*.{parent}"));
            let inner = ascii.iter().any(|r| r.ends_with(&format!(".{name}")));
            let shorter = theirs.is_some_and(|t| t.name.len() < name.len());
            assert!(
                whole && wildcard && inner && shorter,
                "{name}: {ours:?}, psl {theirs:?}"
            );
            psl_bugs.push(name.as_str());
        }
        assert!(psl_bugs.len() <= 30, "{psl_bugs:?}");
    }

    #[test]
    fn exceptions_and_wildcards() {
        let s = |n| suffix(n).map(|s| (s.name, s.known));
        assert_eq!(s("example.com"), Some(("com", true)));
        assert_eq!(s("www.ck"), Some(("ck", true)));
        assert_eq!(s("example.other.ck"), Some(("other.ck", true)));
        assert_eq!(s("city.kawasaki.jp"), Some(("kawasaki.jp", true)));
        assert_eq!(s("example.zz-unknown"), Some(("zz-unknown", false)));
        assert_eq!(s(""), None);
    }
}
