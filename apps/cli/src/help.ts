// Help texts, laid out like man pages: what a user reads before the first run.
import { DEFAULT_API_KEY, DEFAULT_SERVER, DEFAULT_USER_ID } from './args';

const ENVIRONMENT = `ENVIRONMENT
    PIXELFARM_URL
        Base URL of the pixelfarm API. Default ${DEFAULT_SERVER} (what \`npm start\` serves).
    PIXELFARM_USER_ID, PIXELFARM_API_KEY
        The API id and key sent as HTTP Basic credentials. Default ${DEFAULT_USER_ID} / ${DEFAULT_API_KEY},
        the development pair a server without API_KEYS accepts.
    Flags (--server, --user-id, --api-key) win over these variables. Prefer the variables for the
    key: command lines are visible to other users of the machine.`;

const EXIT_STATUS = `EXIT STATUS
    0    every line is done (rendered now or by an earlier run)
    1    at least one line failed (a bad input line, a 4xx answer, or retries used up); a one-off
         render failed
    2    usage error, unreadable input, unwritable output, or credentials rejected (HTTP 401)
    130  interrupted by SIGINT (143: SIGTERM); re-run the same command to resume`;

export const MAIN_HELP = `NAME
    pixelfarm - render HTML/CSS or web pages to images with a pixelfarm server

SYNOPSIS
    pixelfarm render <file.jsonl|file.csv> -o <dir> [options]
    pixelfarm render (--html <html> | --url <url>) [-o <file>] [options]
    pixelfarm help [render]
    pixelfarm --version

DESCRIPTION
    pixelfarm is the command-line client of a running pixelfarm server: it sends
    POST /v1/image requests and downloads the images they return. It renders one image from
    flags, or thousands from a JSON Lines or CSV file with bounded concurrency, retries,
    a progress bar and a manifest that lets an interrupted run resume where it stopped.

COMMANDS
    render
        Render images. See \`pixelfarm render --help\`.
    help [render]
        Show this page, or the page of render.

OPTIONS
    -h, --help       Show help and exit.
    -V, --version    Print the version and exit.

${ENVIRONMENT}

${EXIT_STATUS}

EXAMPLES
    pixelfarm render --html '<div style="padding:40px;background:#0b5">Hi</div>' -o hi.png
    pixelfarm render cards.jsonl -o out/ -c 8
    PIXELFARM_URL=https://render.example.com pixelfarm render rows.csv -o out --name-column slug
`;

export const RENDER_HELP = `NAME
    pixelfarm render - render images from an input file, or one image from flags

SYNOPSIS
    pixelfarm render <file.jsonl|file.csv> -o <dir> [-c <n>] [--name-column <col>]
                     [-f png|jpg|webp|pdf] [--retries <n>] [options]
    pixelfarm render (--html <html> | --url <url>) [--css <css>] [-W <px> -H <px>]
                     [-o <file>|-] [-f png|jpg|webp|pdf] [options]

DESCRIPTION
    With an input file, every line (JSON Lines) or row (CSV) is one POST /v1/image request;
    its fields are the request's fields (html, url, css, viewport_width, device_scale, ...).
    JSON Lines: one JSON object per line; blank lines are skipped. CSV: the first row names the
    fields; quoted fields may contain commas, "" for a quote, and line breaks (RFC 4180); an
    empty cell leaves its field unset. Every image is downloaded into the output directory,
    named by --name-column or by its line number, zero-padded (007.png).

    Progress goes to standard error: a bar with done/total, rate and ETA on a terminal, a plain
    line every 10 seconds otherwise. A summary goes to standard output at the end.

    Rate limits (429, honouring Retry-After), server errors (5xx), network errors and timeouts
    are retried with exponential backoff and jitter. Any other 4xx answer fails that line at
    once, with the server's message. HTTP 401 stops the run: every line would fail.

    Resuming: <dir>/manifest.jsonl gets one line per finished input line,
        {"line":7,"name":"007","id":"...","file":"007.png","status":"done"}
        {"line":9,"name":"009","id":null,"file":null,"status":"failed","error":"HTTP 400: ..."}
    appended and synced to disk as each line finishes; an image is written (atomically, under a
    temporary name then renamed) before its line is recorded. Run the same command again after
    a crash, ^C or failures: lines done (whose files exist) are skipped, the rest are rendered,
    failed lines included. Only the lines in flight when a run died are sent again. Use one
    output directory per input file, and one run at a time per directory.

    Lines are numbered as in an editor, from 1; a CSV record is numbered by the line it starts
    on (the header is line 1). Bad lines (invalid JSON, wrong number of CSV fields) are reported
    by line number and recorded as failed; the other lines still render.

    Without an input file, --html or --url renders one image into -o <file> (default
    <id>.<format> in the current directory; - writes the image to standard output) and prints
    the file name.

OPTIONS
    -o, --output <dir|file>
        With an input file: the output directory (created if missing), required. Otherwise the
        image file; its extension picks the format unless --format is given.
    -c, --concurrency <n>
        Requests in flight at once, 1 to 64. Default 4.
    --name-column <col>
        Name each file by this field's value, made safe for file systems (letters, digits,
        . _ - only); lines without a value use their line number, and names shared by several
        lines get -<line> appended. The field is not sent unless it is an API field (url, ...).
    -f, --format png|jpg|webp|pdf
        Format of the downloaded files (jpeg is accepted for jpg). Default png, or the extension
        of -o for a one-off. A line's own "format" field wins for that line.
    --input-format jsonl|csv
        Read the input as this format. Default: from the extension (.jsonl, .ndjson, .csv).
    --retries <n>
        Retries per request after the first attempt, 0 to 20. Default 5.
    --timeout <seconds>
        Give up on one attempt after this long (then retry). Default 120.
    --html <html>, --url <url>
        The page of a one-off render.
    --css <css>
        Extra CSS. With an input file, applies to every line that does not set css.
    -W, --width <px>, -H, --height <px>
        Viewport size (both or neither); disables snippet auto-crop. With an input file,
        applies to every line that does not set viewport_width/viewport_height.
    --device-scale <n>
        Pixel ratio 0.1 to 3 (the server's default is 2 for html, 1 for url).
    --server <url>, --user-id <id>, --api-key <key>
        Server and credentials; see ENVIRONMENT.
    -q, --quiet
        No progress output; failures and the summary are still printed.
    -h, --help
        Show this page and exit.

${ENVIRONMENT}

${EXIT_STATUS}

EXAMPLES
    One social card, 1200x630 at device scale 1:
        pixelfarm render --html '<h1>Launch day</h1>' --css 'h1{font:64px sans-serif}' \\
            -W 1200 -H 630 --device-scale 1 -o card.png

    A capture of a page as JPEG, written to standard output:
        pixelfarm render --url https://example.com -W 1280 -H 800 -o - > page.jpg -f jpg

    Two hundred cards from JSON Lines, eight at a time:
        $ head -2 cards.jsonl
        {"html":"<div class=card>Ada</div>","css":".card{width:400px;padding:20px}"}
        {"html":"<div class=card>Grace</div>","css":".card{width:400px;padding:20px}"}
        $ pixelfarm render cards.jsonl -o cards/ -c 8

    Rows of a spreadsheet, files named by a column:
        $ cat people.csv
        slug,html
        ada,"<p style=""color:#c00"">Ada, Countess</p>"
        grace,<p>Grace</p>
        $ pixelfarm render people.csv -o people/ --name-column slug -f webp
        (writes people/ada.webp, people/grace.webp, people/manifest.jsonl)

    Resume after ^C or a crash, retrying failed lines:
        pixelfarm render cards.jsonl -o cards/ -c 8

    Failures with their errors (a later "done" entry of the same line supersedes one):
        grep '"status":"failed"' cards/manifest.jsonl
`;
