//! A pure parser and validator for the keepalived 2.2 configuration
//! language: text in, typed [`model::Config`] and [`diag::Diagnostic`]s
//! out, with the `-t` verdict keepalived would give.
//!
//! The machine (files, interfaces, users) is reached through
//! [`host::Host`]; nothing here prints or opens sockets.

pub mod diag;
pub mod engine;
pub mod global;
pub mod host;
pub mod keywords;
pub mod model;
pub mod reader;
pub mod sections;
pub mod tokens;
pub mod validate;
pub mod values;
pub mod vrrp;

use diag::{Class, Diagnostic};
use engine::{Ctx, Cursor, Pass, PASSES};
use host::Host;

/// The outcome of reading a configuration.
#[derive(Debug)]
pub struct Report {
    pub config: model::Config,
    pub diags: Vec<Diagnostic>,
    /// Set when keepalived would stop at once (missing parameter: 2).
    pub immediate_exit: Option<i32>,
    /// False when the main file could not be read.
    pub found: bool,
}

impl Report {
    /// The exit status of `keepalived -t`.
    pub fn exit_code(&self) -> i32 {
        if let Some(c) = self.immediate_exit {
            return c;
        }
        self.diags
            .iter()
            .filter_map(|d| d.class)
            .max()
            .map_or(0, Class::exit_code)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `-i`: selects `@id` lines; defaults to the node name.
    pub config_id: Option<String>,
    /// Which passes to run (all four for `-t`).
    pub passes: Option<Vec<Pass>>,
}

/// Read and check `path` as keepalived 2.2's `-t` does.
pub fn check(path: &str, host: &dyn Host, opts: &Options) -> Report {
    let id = opts.config_id.clone().unwrap_or_else(|| host.node_name());
    let mut cfg = model::Config::default();
    let mut diags = Vec::new();
    let read = match reader::Reader::new(host, &id).read_main(path) {
        Ok(r) => r,
        Err(_) => {
            diags.push(
                Diagnostic::info(format!("Config files missing '{path}'."))
                    .hint("keepalived -t exits 0 when the file is missing; nothing was checked"),
            );
            return Report {
                config: cfg,
                diags,
                immediate_exit: None,
                found: false,
            };
        }
    };
    if read.fatal_include {
        // keepalived reports the include and gives up before parsing.
        diags.extend(read.diags.iter().map(|ev| ev.located(false)));
        return Report {
            config: cfg,
            diags,
            immediate_exit: Some(6),
            found: true,
        };
    }
    let passes = opts.passes.clone().unwrap_or_else(|| PASSES.to_vec());
    let mut immediate_exit = None;
    for pass in passes {
        let mut ctx = Ctx {
            cfg: &mut cfg,
            host,
            pass,
            diags: &mut diags,
            line: None,
            name_main: pass != Pass::Parent,
            fatal_exit: None,
            cur: Cursor::default(),
        };
        engine::run_pass(&mut ctx, &read, keywords::TOP);
        if ctx.fatal_exit.is_none() && pass == Pass::Vrrp {
            validate::vrrp(&mut ctx);
        }
        if let Some(c) = ctx.fatal_exit {
            immediate_exit = Some(c);
            break;
        }
    }
    Report {
        config: cfg,
        diags,
        immediate_exit,
        found: true,
    }
}
