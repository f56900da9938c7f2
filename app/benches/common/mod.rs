//! What the pure benches share: their command line.

/// `--sizes 20x5,300x40 --runs 50` over the defaults; anything else cargo passes (`--bench`)
/// is ignored, and a size that does not parse is left out.
pub fn sizes_and_runs(
    mut sizes: Vec<(usize, usize)>,
    mut runs: usize,
) -> (Vec<(usize, usize)>, usize) {
    let args: Vec<String> = std::env::args().collect();
    for pair in args.windows(2) {
        match pair[0].as_str() {
            "--sizes" => {
                sizes = pair[1]
                    .split(',')
                    .filter_map(|s| {
                        let (c, n) = s.split_once('x')?;
                        Some((c.parse().ok()?, n.parse().ok()?))
                    })
                    .collect();
            }
            "--runs" => runs = pair[1].parse().unwrap_or(runs),
            _ => {}
        }
    }
    (sizes, runs)
}
