"""Type stubs of ruv.dns."""

from typing import Any, Callable, List, NamedTuple, Optional, Tuple, Union

from ._ruv import Loop, Request

class addrinfo_result(NamedTuple):
    family: int
    type: int
    proto: int
    canonname: str
    sockaddr: Tuple[Any, ...]

def getaddrinfo(
    loop: Loop,
    host: Union[str, bytes, None],
    port: Union[int, str, bytes, None],
    family: int = ...,
    socktype: int = ...,
    protocol: int = ...,
    flags: int = ...,
    callback: Optional[Callable[[Optional[List[addrinfo_result]], Optional[int]], Any]] = ...,
) -> Any: ...
def getnameinfo(
    loop: Loop,
    address: Tuple[Any, ...],
    flags: int = ...,
    callback: Optional[Callable[[Optional[Tuple[str, str]], Optional[int]], Any]] = ...,
) -> Any: ...
