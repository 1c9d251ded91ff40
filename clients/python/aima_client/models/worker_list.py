from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.provisioned_worker import ProvisionedWorker
  from ..models.worker_status import WorkerStatus





T = TypeVar("T", bound="WorkerList")



@_attrs_define
class WorkerList:
    """ 
        Attributes:
            items (list[WorkerStatus]):
            provisioned (list[ProvisionedWorker]): Workers the provisioner (`[[autoscale.pools]]`) started in the last
                day, newest first (at most 100): running, stopped, or failed and why.
     """

    items: list[WorkerStatus]
    provisioned: list[ProvisionedWorker]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.provisioned_worker import ProvisionedWorker # noqa: PLC0415
        from ..models.worker_status import WorkerStatus # noqa: PLC0415
        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)



        provisioned = []
        for provisioned_item_data in self.provisioned:
            provisioned_item = provisioned_item_data.to_dict()
            provisioned.append(provisioned_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "items": items,
            "provisioned": provisioned,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.provisioned_worker import ProvisionedWorker # noqa: PLC0415
        from ..models.worker_status import WorkerStatus # noqa: PLC0415
        d = dict(src_dict)
        items = []
        _items = d.pop("items")
        for items_item_data in (_items):
            items_item = WorkerStatus.from_dict(items_item_data)



            items.append(items_item)


        provisioned = []
        _provisioned = d.pop("provisioned")
        for provisioned_item_data in (_provisioned):
            provisioned_item = ProvisionedWorker.from_dict(provisioned_item_data)



            provisioned.append(provisioned_item)


        worker_list = cls(
            items=items,
            provisioned=provisioned,
        )


        worker_list.additional_properties = d
        return worker_list

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
