//! `mcpmon dashboard`: the live terminal view (and `--once`, its snapshot). A collector task runs the
//! health rounds and sends each report over a channel; key presses come from a reader thread; the
//! screen is redrawn from the model (`view::lines`), so a slow or hanging server never freezes it.
//! Raw mode and the alternate screen are restored on every way out: return, error, panic, SIGTERM.

pub mod model;
pub mod view;

use crate::cli::{DashboardArgs, GlobalArgs};
use crate::commands::round::{Prepared, check, prepare};
use crate::commands::{Context, Outcome, emit};
use anyhow::{Context as _, anyhow};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::{cursor, execute, queue, terminal};
use model::Model;
use std::io::Write;
use std::sync::Arc;
use view::{Mode, Ui};

/// Starts the trend from history, when there is one: the last hour's liveness per target.
fn seed_from_history(m: &mut Model, ctx: &Context, g: &GlobalArgs) {
    let Some(dir) = ctx.state_dir(g).map(|d| crate::store::history::dir(&d)) else {
        return;
    };
    let now = chrono::Utc::now();
    let _ = crate::store::history::scan(&dir, now - chrono::Duration::hours(1), now, |l, _| {
        if let Some(v) = l.metrics.get(&crate::model::CheckId::LIVENESS) {
            let q = m.trend.entry(l.target.to_string()).or_default();
            q.push_back(v);
            if q.len() > model::TREND {
                q.pop_front();
            }
        }
    });
}

/// Puts the terminal back: raw mode off, main screen, cursor shown. Safe to call more than once.
fn restore() {
    let _ = terminal::disable_raw_mode();
    let _ = execute!(
        std::io::stdout(),
        terminal::LeaveAlternateScreen,
        cursor::Show
    );
}

/// Restores the terminal when dropped (every return and error path).
struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

fn draw(m: &Model, ui: &Ui) -> std::io::Result<()> {
    let (w, h) = terminal::size().unwrap_or((80, 24));
    let lines = view::lines(m, ui, usize::from(w), usize::from(h), true);
    let mut out = std::io::stdout().lock();
    queue!(out, cursor::MoveTo(0, 0))?;
    for (i, l) in lines.iter().enumerate() {
        queue!(out, cursor::MoveTo(0, i as u16))?;
        out.write_all(l.as_bytes())?;
        queue!(out, terminal::Clear(terminal::ClearType::UntilNewLine))?;
    }
    out.flush()
}

/// What a key does; false when the dashboard should quit.
fn on_key(
    k: KeyEvent,
    ui: &mut Ui,
    rows: usize,
    refresh: &tokio::sync::watch::Sender<u64>,
) -> bool {
    if k.kind == KeyEventKind::Release {
        return true;
    }
    let ctrl_c = k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl_c {
        return false;
    }
    match ui.mode {
        Mode::Filter => match k.code {
            KeyCode::Enter => ui.mode = Mode::Table,
            KeyCode::Esc => {
                ui.filter.clear();
                ui.mode = Mode::Table;
            }
            KeyCode::Backspace => {
                ui.filter.pop();
            }
            KeyCode::Char(c) => {
                ui.filter.push(c);
                ui.selected = 0;
            }
            _ => {}
        },
        Mode::Help => ui.mode = Mode::Table,
        Mode::Details => match k.code {
            KeyCode::Char('q') => return false,
            KeyCode::Esc | KeyCode::Char('d') | KeyCode::Enter => ui.mode = Mode::Table,
            KeyCode::Char('r') => refresh.send_modify(|n| *n += 1),
            _ => {}
        },
        Mode::Table => match k.code {
            KeyCode::Char('q') | KeyCode::Esc => return false,
            KeyCode::Char('r') => refresh.send_modify(|n| *n += 1),
            KeyCode::Down | KeyCode::Char('j') => {
                ui.selected = (ui.selected + 1).min(rows.saturating_sub(1))
            }
            KeyCode::Up | KeyCode::Char('k') => ui.selected = ui.selected.saturating_sub(1),
            KeyCode::Enter | KeyCode::Char('d') => ui.mode = Mode::Details,
            KeyCode::Char('/') => ui.mode = Mode::Filter,
            KeyCode::Char('?') => ui.mode = Mode::Help,
            _ => {}
        },
    }
    true
}

pub async fn run(ctx: &Context, g: &GlobalArgs, args: &DashboardArgs) -> anyhow::Result<Outcome> {
    if !args.once && !ctx.term.stdout_tty {
        return Err(anyhow!(
            "the dashboard needs a terminal on stdout; use `mcpmon dashboard --once` for a snapshot"
        ));
    }
    let Prepared {
        targets,
        client,
        opts,
    } = prepare(ctx, g, &args.targets, &[], None)?;
    // log marks belong to health's rounds (and the per-target rounds below would race on them)
    let opts = crate::commands::round::RoundOptions {
        state_dir: None,
        ..opts
    };
    let mut m = Model::with_order(targets.iter().map(|t| t.name.clone()).collect());
    seed_from_history(&mut m, ctx, g);
    let refresh_text = format!("every {}", crate::model::human::span(args.interval));

    if args.once {
        let report = check(&targets, &client, &opts).await;
        m.update(&report);
        let ui = Ui {
            refresh: "snapshot".into(),
            ..Ui::default()
        };
        let width = ctx.term.width.map(usize::from).unwrap_or(120);
        let mut text = view::lines(&m, &ui, width, usize::MAX, ctx.term.color).join("\n");
        text.push('\n');
        emit(text.as_bytes()).context("writing the snapshot to stdout")?;
        return Ok(Outcome::done(report.status()));
    }

    // the collectors: one task per target, so a hanging target delays only its own row; a round
    // now, then every interval or when asked (`r`)
    let (tx, mut reports) = tokio::sync::mpsc::channel(targets.len().max(1) * 2);
    let (refresh, _) = tokio::sync::watch::channel(0u64);
    let running = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let interval = args.interval;
    let opts = Arc::new(opts);
    let mut tasks = tokio::task::JoinSet::new();
    for t in targets.iter() {
        let one = Arc::new(vec![t.clone()]);
        let (tx, client, opts) = (tx.clone(), client.clone(), Arc::clone(&opts));
        let mut asked = refresh.subscribe();
        let running = Arc::clone(&running);
        tasks.spawn(async move {
            loop {
                running.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let report = check(&one, &client, &opts).await;
                running.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
                if tx.send(report).await.is_err() {
                    return;
                }
                tokio::select! {
                    _ = tokio::time::sleep(interval) => {}
                    r = asked.changed() => if r.is_err() { return },
                }
            }
        });
    }
    drop(tx);
    // keys and resizes: a reader thread (crossterm's read blocks)
    let (ktx, mut keys) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        while let Ok(ev) = crossterm::event::read() {
            if ktx.send(ev).is_err() {
                return;
            }
        }
    });

    terminal::enable_raw_mode().context("switching the terminal to raw mode")?;
    let _guard = Guard;
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous_hook(info);
    }));
    execute!(
        std::io::stdout(),
        terminal::EnterAlternateScreen,
        cursor::Hide
    )
    .context("entering the alternate screen")?;
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("installing the SIGTERM handler")?;
    let mut ui = Ui {
        refresh: refresh_text,
        busy: true,
        ..Ui::default()
    };
    draw(&m, &ui).context("drawing")?;
    // the "checking…" mark follows the collectors once a second
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tokio::select! {
            Some(report) = reports.recv() => {
                m.update(&report);
                let n = view::visible(&m, &ui).len();
                ui.selected = ui.selected.min(n.saturating_sub(1));
            }
            _ = tick.tick() => {}
            ev = keys.recv() => match ev {
                Some(Event::Key(k)) => {
                    let n = view::visible(&m, &ui).len();
                    if !on_key(k, &mut ui, n, &refresh) {
                        break;
                    }
                }
                Some(Event::Resize(..)) => {
                    let _ = execute!(std::io::stdout(), terminal::Clear(terminal::ClearType::All));
                }
                Some(_) => {}
                None => break,
            },
            _ = term.recv() => break,
        }
        ui.busy = running.load(std::sync::atomic::Ordering::Relaxed) > 0;
        draw(&m, &ui).context("drawing")?;
    }
    tasks.abort_all();
    drop(_guard);
    let last = crate::model::worst(m.rows.iter().map(|r| r.status));
    Ok(Outcome::done(last))
}
