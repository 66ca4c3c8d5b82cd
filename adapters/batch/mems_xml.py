"""MEMS XML batch files, with the element names of the ACCME JSON.

    <ACCMEActivities>
      <MedicalEducationMetrics>            one per activity
        <ReportDescription>…</ReportDescription>
        <ActivityDescription><commercialSupportAmount>…</commercialSupportAmount>…</ActivityDescription>
        <Lom><general><identifier><catalog>Provider Activity ID</catalog><entry>A-1</entry></identifier>…
        <healthcareMetadata><healthcareEducation>…</healthcareEducation></healthcareMetadata>
        <ParticipationMetrics><participantsByCategory>…</participantsByCategory></ParticipationMetrics>
        <XtensibleInfo>…</XtensibleInfo>
      </MedicalEducationMetrics>
    </ACCMEActivities>

An array is its element repeated (`<identifier>` twice is a list of two). Booleans are
`true`/`false` (`1`/`0`, `yes`/`no` read too), numbers are decimal text. Namespaces are ignored;
`HealthcareEducation` is read as `healthcareMetadata`. Parsing is safe against hostile files:
no entity expansion, no DTD loading, no network.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

from lxml import etree

from adapters.batch.records import BatchFormatError, ParsedRecord, RecordStream, Source, Unclosed, as_stream
from adapters.batch.spec import ITEM, KEY_ALIASES, SECTION_ALIASES

ROOT, ITEMS = "ACCMEActivities", "MedicalEducationMetrics"
TRUE, FALSE = {"true", "1", "yes", "y"}, {"false", "0", "no", "n"}


PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


def records(stream: BinaryIO) -> RecordStream[ParsedRecord]:
    """The file's activities, one `<MedicalEducationMetrics>` at a time (each element freed once read)."""
    return RecordStream(
        lambda: sum(1 for _ in _items(stream)), lambda: (_record(n, element) for n, element in _items(stream))
    )


def parse(data: Source) -> list[ParsedRecord]:
    return list(records(as_stream(data)))


def _items(stream: BinaryIO) -> Iterator[tuple[int, Any]]:
    """The root's child elements, numbered from 1, each cleared after its consumer had it (constant memory)."""
    depth, n = 0, 0
    try:
        for event, element in etree.iterparse(Unclosed(stream), events=("start", "end"), **PARSER_OPTIONS):
            if event == "start":
                depth += 1
                if depth == 1 and _name(element) != ROOT:
                    raise BatchFormatError(
                        f"the XML root element is <{_name(element)}>, expected <{ROOT}>",
                        [{"loc": [f"/{_name(element)}"], "msg": f"expected <{ROOT}>"}],
                    )
                continue
            depth -= 1
            if depth == 1:
                n += 1
                yield n, element
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]
    except etree.XMLSyntaxError as e:
        raise BatchFormatError(f"the file is not well-formed XML: {e.msg} (line {e.lineno})") from None


def _record(n: int, element: Any) -> ParsedRecord:
    ref = f"/{ROOT}/{ITEMS}[{n}]"
    if _name(element) != ITEMS:
        return ParsedRecord(
            ref,
            errors=[
                {"loc": [f"/{ROOT}/{_name(element)}"], "msg": f"unknown element <{_name(element)}>; expected <{ITEMS}>"}
            ],
        )
    errors: list[dict[str, Any]] = []
    item = _object(element, ITEM, ref, errors, top=True)
    return ParsedRecord(ref, errors=errors) if errors else ParsedRecord(ref, item=item)


def _name(element: Any) -> str:
    return etree.QName(element).localname


def _object(
    element: Any, spec: dict[str, Any], path: str, errors: list[dict[str, Any]], top: bool = False
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = KEY_ALIASES.get(_name(child), _name(child))
        if top:
            name = SECTION_ALIASES.get(name, name)
        where = f"{path}/{_name(child)}"
        if (
            top
            and name == "healthcareMetadata"
            and _name(child) == "HealthcareEducation"
            and child.find("healthcareEducation") is None
        ):
            # <HealthcareEducation> holding the fields directly
            result[name] = {"healthcareEducation": _object(child, spec[name]["healthcareEducation"], where, errors)}
            continue
        if name not in spec:
            errors.append({"loc": [path, _name(child)], "msg": f"unknown element <{_name(child)}>"})
            continue
        kind = spec[name]
        if isinstance(kind, list):
            result.setdefault(name, []).append(_value(child, kind[0], where, errors))
        elif name in result:
            errors.append({"loc": [path, _name(child)], "msg": f"<{_name(child)}> may appear only once"})
        else:
            result[name] = _value(child, kind, where, errors)
    return result


def _value(element: Any, kind: Any, path: str, errors: list[dict[str, Any]]) -> Any:
    if isinstance(kind, dict):
        return _object(element, kind, path, errors)
    text = (element.text or "").strip()
    if kind == "boolean":
        if text.lower() in TRUE:
            return True
        if text.lower() in FALSE:
            return False
        errors.append({"loc": [path], "msg": f"expected true or false, got {text!r}"})
        return None
    if kind in ("number", "integer"):
        try:
            number = Decimal(text)
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            errors.append(
                {"loc": [path], "msg": f"expected a {'whole ' if kind == 'integer' else ''}number, got {text!r}"}
            )
            return None
        if number == number.to_integral_value():
            return int(number)
        if kind == "integer":
            errors.append({"loc": [path], "msg": f"expected a whole number, got {text!r}"})
            return None
        return float(number)
    return text


def render(items: list[dict[str, Any]]) -> bytes:
    root = etree.Element(ROOT)
    for item in items:
        _append(root, ITEMS, item)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _append(parent: Any, name: str, value: Any) -> None:
    name = KEY_ALIASES.get(name, name)
    if isinstance(value, list):
        for each in value:
            _append(parent, name, each)
        return
    if value is None:
        return
    element = etree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, each in value.items():
            _append(element, key, each)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = str(value)
