/**
 * Elo ratings from pairwise results (Bradley–Terry on the Elo scale) and the check of Bai et al. 2022's conversion of
 * preference-model score gaps to Elo: a PM score difference Δ means a win probability 1/(1+e^(−Δ)), and Elo's
 * 1/(1+10^(−E/400)) is the same curve when E = 400/ln 10 · Δ ≈ 174·Δ. Pure functions; no I/O.
 */

/** Elo points per nat of PM score gap if the PM's scores were calibrated win log-odds (Bai et al. 2022: ≈ 174). */
export const ELO_PER_NAT = 400 / Math.LN10;

/** The games of one pair of players: `wins` of `a` out of `games`, a tie counting half to each. */
export interface PairResult {
  readonly a: string;
  readonly b: string;
  readonly wins: number;
  readonly games: number;
}

/** Settings of the fit. */
export interface EloFitOptions {
  /** The player rated 0 (the others are relative to it). */
  readonly anchor: string;
  /**
   * Virtual drawn games added to every pair of players (half a win each way), so a player who won or lost every
   * game still gets a finite rating; 0 fits the results alone (then every player must have won and lost something).
   */
  readonly priorDraws: number;
}

/**
 * Maximum-likelihood Elo ratings of `players` from `results` (the Bradley–Terry model, P(i beats j) =
 * 1/(1+10^(−(R_i−R_j)/400))), by Hunter's (2004) minorisation–maximisation updates γ_i ← W_i / Σ_j n_ij/(γ_i+γ_j).
 * @throws RangeError for a result naming an unknown player, an anchor not among the players, or (with no prior) a
 *   player whose rating would be infinite.
 * @example
 * // a beats b 3 games of 4: Elo gap 400·log10(3) ≈ 190.8
 * fitElo(['a', 'b'], [{ a: 'a', b: 'b', wins: 3, games: 4 }], { anchor: 'b', priorDraws: 0 }).a // 190.848…
 */
export function fitElo(players: readonly string[], results: readonly PairResult[], options: EloFitOptions): Record<string, number> {
  const index = new Map(players.map((player, i) => [player, i]));
  const at = (player: string) => {
    const i = index.get(player);
    if (i === undefined) throw new RangeError(`fitElo: ${player} is not among the players (${players.join(', ')})`);
    return i;
  };
  const anchor = at(options.anchor);
  const n = players.length;
  const games = Array.from({ length: n }, () => new Float64Array(n));
  const wins = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      games[i][j] = games[j][i] = options.priorDraws;
      wins[i] += options.priorDraws / 2;
      wins[j] += options.priorDraws / 2;
    }
  }
  for (const result of results) {
    const [i, j] = [at(result.a), at(result.b)];
    games[i][j] += result.games;
    games[j][i] += result.games;
    wins[i] += result.wins;
    wins[j] += result.games - result.wins;
  }
  for (let i = 0; i < n; i++) {
    const played = games[i].reduce((sum, count) => sum + count, 0);
    if (n > 1 && (wins[i] <= 0 || wins[i] >= played)) throw new RangeError(`fitElo: ${players[i]} ${wins[i] <= 0 ? 'lost' : 'won'} every game; its rating is infinite (use priorDraws > 0)`);
  }
  // 1) MM iterations on strengths γ = 10^(R/400), normalised to a geometric mean of 1
  let gamma = new Float64Array(n).fill(1);
  for (let iteration = 0; iteration < 100_000; iteration++) {
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let denominator = 0;
      for (let j = 0; j < n; j++) if (j !== i && games[i][j] > 0) denominator += games[i][j] / (gamma[i] + gamma[j]);
      next[i] = denominator === 0 ? gamma[i] : wins[i] / denominator;
    }
    const logMean = next.reduce((sum, value) => sum + Math.log(value), 0) / n;
    let change = 0;
    for (let i = 0; i < n; i++) {
      next[i] /= Math.exp(logMean);
      change = Math.max(change, Math.abs(Math.log(next[i] / gamma[i])));
    }
    gamma = next;
    if (change < 1e-13) break;
  }
  // 2) on the Elo scale, relative to the anchor
  return Object.fromEntries(players.map((player, i) => [player, (400 * Math.log10(gamma[i] / gamma[anchor])) as number]));
}

/** One pair of players in the slope fit: their Elo gap and their mean PM score gap, both i − j. */
export interface GapPoint {
  readonly a: string;
  readonly b: string;
  readonly eloGap: number;
  readonly scoreGap: number;
}

/** The fitted Elo-per-PM-point slope, beside the paper's. */
export interface EloSlopeFit {
  /** Least-squares slope through the origin of Elo gap against PM score gap (Elo per nat); null with no score gap. */
  readonly slope: number | null;
  /** Share of the Elo gaps' variance about 0 that the line explains (1 − SSE/Σ eloGap²); null when undefined. */
  readonly r2: number | null;
  readonly pairs: number;
  /** 400/ln 10 ≈ 173.7, Bai et al. 2022's conversion. */
  readonly paper_slope: number;
}

/**
 * Fit Elo gap ≈ slope · PM score gap through the origin (a zero score gap means equal strength) over every pair.
 * @example fitEloSlope([{ a: 'x', b: 'y', eloGap: 174, scoreGap: 1 }]).slope // 174
 */
export function fitEloSlope(points: readonly GapPoint[]): EloSlopeFit {
  const sxx = points.reduce((sum, p) => sum + p.scoreGap * p.scoreGap, 0);
  const sxy = points.reduce((sum, p) => sum + p.scoreGap * p.eloGap, 0);
  const syy = points.reduce((sum, p) => sum + p.eloGap * p.eloGap, 0);
  if (sxx === 0) return { slope: null, r2: null, pairs: points.length, paper_slope: ELO_PER_NAT };
  const slope = sxy / sxx;
  const sse = points.reduce((sum, p) => sum + (p.eloGap - slope * p.scoreGap) ** 2, 0);
  return { slope, r2: syy === 0 ? null : 1 - sse / syy, pairs: points.length, paper_slope: ELO_PER_NAT };
}

/**
 * Every pair (i < j in `players` order) with its Elo gap and its gap of mean PM scores.
 * @throws RangeError when a player lacks a rating or a score.
 */
export function gapPoints(players: readonly string[], ratings: Readonly<Record<string, number>>, meanScores: Readonly<Record<string, number>>): GapPoint[] {
  const points: GapPoint[] = [];
  for (const player of players) {
    if (ratings[player] === undefined || meanScores[player] === undefined) throw new RangeError(`gapPoints: ${player} has no rating or no mean PM score`);
  }
  players.forEach((a, i) => players.slice(i + 1).forEach((b) => points.push({ a, b, eloGap: ratings[a] - ratings[b], scoreGap: meanScores[a] - meanScores[b] })));
  return points;
}
