# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Base class of our persistent objects: models come from our own module."""

from cinder.objects import base

from cinder_snapext.db import models


class SnapextPersistentObject(base.CinderPersistentObject):
    """A persistent object whose model lives in cinder_snapext.db.models.

    Cinder looks models up by object name in cinder.db.models, where ours
    are not; ``MODEL_NAME`` names the class in our models module instead.
    """

    MODEL_NAME: str = ''

    @classmethod
    def cinder_ovo_cls_init(cls):
        cls.model = getattr(models, cls.MODEL_NAME)

    @classmethod
    def _from_db_object(cls, context, obj, db_row):
        for name in obj.fields:
            setattr(obj, name, getattr(db_row, name))
        obj._context = context
        obj.obj_reset_changes()
        return obj


def list_from_rows(list_cls, item_cls, context, rows):
    """A ``list_cls`` of ``item_cls`` objects built from DB rows."""
    items = [item_cls._from_db_object(context, item_cls(context), row)
             for row in rows]
    result = list_cls(context, objects=items)
    result.obj_reset_changes()
    return result
