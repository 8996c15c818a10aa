//! robots.txt rules for one host, parsed by `texting_robots` (a maintained, well-tested
//! parser of the robots exclusion standard, RFC 9309).
//!
//! What an answer means follows RFC 9309 §2.3.1: a 2xx body is parsed; 4xx means no rules
//! (everything allowed); 5xx or no answer means the site is unreachable for robots, so
//! everything is disallowed for this crawl.

use texting_robots::Robot;

/// The robots rules the crawler obeys on one host.
pub(crate) enum Rules {
    Parsed(Box<Robot>),
    AllowAll,
    DisallowAll,
}

/// The longest `Crawl-delay` obeyed, in seconds: beyond it a site could stall a crawl for
/// hours with one line; such sites are crawled at this pace instead.
const MAX_CRAWL_DELAY_SECONDS: f32 = 60.0;

impl Rules {
    /// Rules from a robots.txt body; a body the parser refuses allows everything, as a
    /// site without robots.txt does.
    pub fn parse(agent_token: &str, body: &[u8]) -> Rules {
        match Robot::new(agent_token, body) {
            Ok(robot) => Rules::Parsed(Box::new(robot)),
            Err(_) => Rules::AllowAll,
        }
    }

    pub fn allowed(&self, url: &str) -> bool {
        match self {
            Rules::Parsed(robot) => robot.allowed(url),
            Rules::AllowAll => true,
            Rules::DisallowAll => false,
        }
    }

    /// The site's `Crawl-delay` for us, in seconds, capped.
    pub fn crawl_delay(&self) -> Option<f32> {
        match self {
            Rules::Parsed(robot) => robot.delay.map(|d| d.clamp(0.0, MAX_CRAWL_DELAY_SECONDS)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disallowed_folders_and_crawl_delay() {
        let rules = Rules::parse(
            "gyokaku",
            b"User-agent: *\nDisallow: /private/\nCrawl-delay: 5\n\nUser-agent: badbot\nDisallow: /\n",
        );
        assert!(rules.allowed("http://127.0.0.1:8/plan/a.pdf"));
        assert!(!rules.allowed("http://127.0.0.1:8/private/a.pdf"));
        assert_eq!(rules.crawl_delay(), Some(5.0));
        let rules = Rules::parse("gyokaku", b"User-agent: gyokaku\nDisallow: /\n");
        assert!(!rules.allowed("http://127.0.0.1:8/"));
    }
}
