"""`pars demo`: fills the configured store with the demo data set, then prints what it made and tokens to try."""

from __future__ import annotations

import time

import typer
from rich.console import Console

from adapters.cli.system import cli_actor, err, system_or_exit
from adapters.demo import DemoAlreadyLoadedError, DemoDataSet
from commands.tokens import IssueToken


def run_demo(err: Console) -> None:
    with system_or_exit() as system:
        started = time.perf_counter()
        try:
            with err.status("making the demo data set"):
                made = DemoDataSet(system).load()
        except DemoAlreadyLoadedError as error:
            err.print(f"[red]error:[/red] {error}")
            raise typer.Exit(1) from None
        with err.status("bringing the read models up to date"):
            system.projections.catch_up()
        seconds = time.perf_counter() - started
        provider = made.providers[0]
        learner = made.sample_learner
        base = system.settings.public_base()  # PARS_PUBLIC_URL: printed curls point where PARS is reached

        def token(role: str, provider: str | None = None, learner: str | None = None, state: str | None = None) -> str:
            """Recorded like any token: pars admin list-tokens lists it, revoke-token revokes it."""
            cmd = IssueToken(role=role, provider=provider, learner=learner, state=state, label="issued by pars demo")
            return system.tokens.handle(cmd, cli_actor()).token

        provider_token = token("provider", provider=provider)
        lines = [
            f"demo data set made in {seconds:.1f} s (store: {system.settings.database_url})",
            (
                f"  {len(made.providers)} providers (ACCME, Joint Accreditation, state accreditors TN, CA, NY) with contacts and decisions: "
                f"{', '.join(made.providers)}"
            ),
            f"  {made.activities} activities over {system.annual.today().year - 1}-{system.annual.today().year}, {made.closed} closed"
            + (f" ({len(made.rejected_activities)} refused)" if made.rejected_activities else ""),
            f"  {len(made.learners)} physicians in the learner directory",
            f"  {made.completions} completions"
            + (f" ({made.rejected_completions} refused)" if made.rejected_completions else ""),
            (
                f"  boards' answers: {made.board_answers.get('accepted', 0)} accepted, "
                f"{made.board_answers.get('rejected', 0)} rejected (the rest pending, or not sent without consent)"
            ),
            f"  program summaries: {', '.join(f'{a} {y}' for a, y in made.program_summaries)}",
            "",
            "to try (PARS_SECRET_KEY signs these tokens; `pars serve` to start):",
            f"  provider {provider}:   export PROVIDER={provider_token}",
            f"  ACCME staff:          export ACCREDITOR={token('accreditor')}",
            f"  learner {learner.get('name')} (NPI {learner.get('npi')}, licence {learner.get('licence')}):",
            f"                        export LEARNER={token('learner', learner=learner.get('learner_id'))}",
            f"  TN medical board:     export TN_BOARD={token('board', state='TN')}",
            f'  curl -s {base}/api/v1/providers/{provider}/dashboard -H "Authorization: Bearer $PROVIDER"',
            f'  curl -s {base}/api/v1/passport/transcript -H "Authorization: Bearer $LEARNER"',
            f"  curl -s '{base}/accme/GetLearnerTranscriptbyLearner?npi={learner.get('npi')}' -H \"Authorization: Bearer $ACCREDITOR\"",
            f'  curl -s {base}/accme/activities/{made.sample_activity} -H "Authorization: Bearer $PROVIDER"',
            f"  curl -s '{base}/api/v1/passport/catalog?past=true'",
        ]
        typer.echo("\n".join(lines))


def demo() -> None:
    """Fills the configured store with a realistic demo data set (providers, activities, physicians, completions); exit 1 if it is there already."""
    run_demo(err)
