# Reference figures from R's survey package (Lumley) for the cases in DATA_DIR/cases.json.
#
#   Rscript --vanilla survey_reference.R DATA_DIR OUT.json
#
# DATA_DIR holds the CSV files written by survey_files.py (beside this script) and cases.json.
# Designs: svydesign(ids = ~psu or ~1, strata = ~stratum or NULL, weights = ~w, nest = TRUE).
# A domain (a filter, or the rows that answered) is subset(design, ...), as survey statisticians
# estimate for a subpopulation: the whole sample's PSUs stay in the variance.

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
data_dir <- args[[1]]
out_path <- args[[2]]
cases <- fromJSON(file.path(data_dir, "cases.json"), simplifyVector = FALSE)
levels <- unlist(cases$levels)

files <- list()
designs <- list()
for (name in names(cases$designs)) {
  spec <- cases$designs[[name]]
  if (is.null(files[[spec$file]])) {
    files[[spec$file]] <- read.csv(file.path(data_dir, paste0(spec$file, ".csv")),
                                   stringsAsFactors = FALSE, na.strings = "")
  }
  ids <- if (is.null(spec$psu)) ~1 else as.formula(paste0("~", spec$psu))
  strata <- if (is.null(spec$stratum)) NULL else as.formula(paste0("~", spec$stratum))
  designs[[name]] <- svydesign(ids = ids, strata = strata, weights = as.formula(paste0("~", spec$weight)),
                               data = files[[spec$file]], nest = TRUE)
}

in_domain <- function(design, domain) {
  keep <- rep(TRUE, nrow(design$variables))
  for (column in names(domain)) {
    keep <- keep & !is.na(design$variables[[column]]) &
      as.character(design$variables[[column]]) %in% unlist(domain[[column]])
  }
  keep
}

safe <- function(expr) tryCatch(expr, error = function(e) NULL, warning = function(w) suppressWarnings(expr))

share_figures <- function(design) {
  # design$variables$.y is the 0/1 answer; design is the domain
  m <- svymean(~.y, design, deff = "replace")
  p <- unname(coef(m)[1])
  intervals <- list()
  for (method in c("beta", "logit")) {
    for (level in levels) {
      ci <- safe(attr(svyciprop(~.y, design, method = method, level = level), "ci"))
      intervals[[method]][[format(level)]] <- if (is.null(ci)) NULL else unname(ci)
    }
  }
  list(share = p, var = unname(vcov(m)[1, 1]), deff = unname(deff(m)[1]), degf = degf(design),
       rows = nrow(design), intervals = intervals)
}

answers_of <- function(design, variable) sort(unique(as.character(na.omit(design$variables[[variable]]))))

shares <- list()
for (case in cases$shares) {
  design <- designs[[case$design]]
  domain <- subset(design, in_domain(design, case$domain) & !is.na(design$variables[[case$variable]]))
  rows <- list()
  for (key in answers_of(domain, case$variable)) {
    domain$variables$.y <- as.numeric(as.character(domain$variables[[case$variable]]) == key)
    rows[[key]] <- share_figures(domain)
  }
  shares[[case$id]] <- rows
}

multi <- list()
for (case in cases$multi) {
  design <- designs[[case$design]]
  text <- trimws(as.character(design$variables[[case$variable]]))
  answered <- !is.na(text) & text != ""
  domain <- subset(design, in_domain(design, case$domain) & answered)
  chosen <- lapply(strsplit(trimws(as.character(domain$variables[[case$variable]])), ";"), trimws)
  options <- sort(setdiff(unique(unlist(chosen)), ""))
  rows <- list()
  for (option in options) {
    domain$variables$.y <- as.numeric(vapply(chosen, function(v) option %in% v, logical(1)))
    rows[[option]] <- share_figures(domain)
  }
  multi[[case$id]] <- rows
}

tables <- list()
for (case in cases$tables) {
  design <- designs[[case$design]]
  vars <- design$variables
  domain <- subset(design, in_domain(design, case$domain) & !is.na(vars[[case$rows]]) & !is.na(vars[[case$cols]]))
  formula <- as.formula(paste("~", case$rows, "+", case$cols))
  failed <- tryCatch({ svychisq(formula, domain, statistic = "F"); NULL }, error = function(e) conditionMessage(e))
  if (!is.null(failed)) {
    tables[[case$id]] <- list(error = failed)
    next
  }
  second <- svychisq(formula, domain, statistic = "F")
  first <- svychisq(formula, domain, statistic = "Chisq")
  cells <- list()
  row_values <- answers_of(domain, case$rows)
  col_values <- answers_of(domain, case$cols)
  for (i in row_values) {
    for (j in col_values) {
      domain$variables$.y <- as.numeric(as.character(domain$variables[[case$rows]]) == i)
      domain$variables$.g <- as.character(domain$variables[[case$cols]]) == j
      test <- safe(svyttest(.y ~ .g, domain))
      column <- subset(domain, as.character(domain$variables[[case$cols]]) == j)
      figures <- share_figures(column)
      cells[[length(cells) + 1]] <- list(
        row = i, col = j, share = figures$share, var = figures$var, deff = figures$deff,
        intervals = figures$intervals,
        t = if (is.null(test)) NULL else unname(test$statistic),
        df = if (is.null(test)) NULL else unname(test$parameter),
        p = if (is.null(test)) NULL else unname(test$p.value),
        estimate = if (is.null(test)) NULL else unname(test$estimate))
    }
  }
  tables[[case$id]] <- list(
    F = unname(second$statistic), ndf = unname(second$parameter[["ndf"]]), ddf = unname(second$parameter[["ddf"]]),
    p_F = unname(second$p.value), X2 = unname(first$statistic), df = unname(first$parameter[["df"]]),
    p_chisq = unname(first$p.value), cells = cells)
}

difference_figures <- function(domain) {
  # domain$variables$.y is the 0/1 answer and .g TRUE in group A, FALSE in group B
  model <- svyglm(.y ~ .g, domain)
  intervals <- list()
  for (level in levels) intervals[[format(level)]] <- unname(confint(model, parm = 2, level = level)[1, ])
  test <- svyttest(.y ~ .g, domain)
  list(diff = unname(coef(model)[2]), se = unname(SE(model)[2]), df = model$df.residual,
       t = unname(test$statistic), p = unname(test$p.value), intervals = intervals)
}

differences <- list()
for (case in cases$differences) {
  design <- designs[[case$design]]
  vars <- design$variables
  groups <- c(unlist(case$a), unlist(case$b))
  domain <- subset(design, as.character(vars[[case$group]]) %in% groups & !is.na(vars[[case$variable]]))
  domain$variables$.g <- as.character(domain$variables[[case$group]]) %in% unlist(case$a)
  rows <- list()
  for (key in answers_of(domain, case$variable)) {
    domain$variables$.y <- as.numeric(as.character(domain$variables[[case$variable]]) == key)
    rows[[key]] <- difference_figures(domain)
  }
  differences[[case$id]] <- rows
}

multi_differences <- list()
for (case in cases$multi_differences) {
  design <- designs[[case$design]]
  vars <- design$variables
  text <- trimws(as.character(vars[[case$variable]]))
  groups <- c(unlist(case$a), unlist(case$b))
  domain <- subset(design, as.character(vars[[case$group]]) %in% groups & !is.na(text) & text != "")
  domain$variables$.g <- as.character(domain$variables[[case$group]]) %in% unlist(case$a)
  chosen <- lapply(strsplit(trimws(as.character(domain$variables[[case$variable]])), ";"), trimws)
  rows <- list()
  for (option in sort(setdiff(unique(unlist(chosen)), ""))) {
    domain$variables$.y <- as.numeric(vapply(chosen, function(v) option %in% v, logical(1)))
    rows[[option]] <- difference_figures(domain)
  }
  multi_differences[[case$id]] <- rows
}

result <- list(r_version = R.version.string, survey_version = as.character(packageVersion("survey")),
               shares = shares, multi = multi, tables = tables, differences = differences,
               multi_differences = multi_differences)
write_json(result, out_path, auto_unbox = TRUE, digits = NA, null = "null", na = "null")
